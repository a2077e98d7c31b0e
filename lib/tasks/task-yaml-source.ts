import "server-only";
import fs from "node:fs/promises";
import { isMap, LineCounter, parseDocument, type Document, type Node } from "yaml";
import { taskSourceText } from "../yaml";
import { keyString } from "../yaml/parse-schedule";

export interface TaskYamlSource {
  /** The task's text as in the file, comments included, indentation removed. */
  text: string;
  /** 1-based line of the task's key. */
  line: number;
}

let cached: { key: string; text: string; doc: Document; lines: LineCounter } | null = null;

/**
 * Reads the schedule file as it is on disk (not through the sync: a read only) and returns one
 * task's source. The parsed file is kept until the file changes (size and mtime), so paging
 * through tasks of a large file parses it once. Null when the file is missing, too large,
 * not parseable, or has no such task.
 */
export async function readTaskYamlSource(file: string, id: string, maxBytes: number): Promise<TaskYamlSource | null> {
  let stat;
  try {
    stat = await fs.stat(file);
  } catch {
    return null;
  }
  if (stat.size > maxBytes) return null;
  const key = `${stat.size}:${stat.mtimeMs}`;
  if (cached?.key !== key) {
    const text = await fs.readFile(file, "utf8");
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false });
    if (doc.errors.length > 0) return null;
    cached = { key, text, doc, lines };
  }
  const source = taskSourceText(cached.doc, cached.text, id, { dedent: true });
  if (source === null) return null;
  const tasks = cached.doc.get("tasks", true);
  const pair = isMap(tasks) ? tasks.items.find((item) => keyString(item.key) === id) : undefined;
  const keyAt = (pair?.key as Node | undefined)?.range?.[0];
  return { text: source.replace(/\s+$/, "\n"), line: keyAt === undefined ? 1 : cached.lines.linePos(keyAt).line };
}

/** The file's text for a code frame, or null when it cannot be read or is too large. */
export async function readScheduleText(file: string, maxBytes: number): Promise<string | null> {
  try {
    const stat = await fs.stat(file);
    if (stat.size > maxBytes) return null;
    return await fs.readFile(file, "utf8");
  } catch {
    return null;
  }
}
