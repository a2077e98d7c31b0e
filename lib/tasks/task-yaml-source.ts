import "server-only";
import fs from "node:fs/promises";
import { taskBlock, type TaskYamlSource } from "../yaml-view/task-block";

let cached: { key: string; text: string } | null = null;

/**
 * Reads the schedule file as it is on disk (a read only, not through the sync) and returns one
 * task's source (see `taskBlock`). Null when the file is missing, too large, not parseable, or
 * has no such task.
 */
export async function readTaskYamlSource(file: string, id: string, maxBytes: number): Promise<TaskYamlSource | null> {
  const text = await readScheduleText(file, maxBytes);
  return text === null ? null : taskBlock(text, id);
}

/** The file's text (kept until its size or mtime changes), or null when it cannot be read or is too large. */
export async function readScheduleText(file: string, maxBytes: number): Promise<string | null> {
  try {
    const stat = await fs.stat(file);
    if (stat.size > maxBytes) return null;
    const key = `${file}:${stat.size}:${stat.mtimeMs}`;
    if (cached?.key !== key) cached = { key, text: await fs.readFile(file, "utf8") };
    return cached.text;
  } catch {
    return null;
  }
}
