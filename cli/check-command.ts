import fs from "node:fs/promises";
import path from "node:path";
import { scheduleWarnings, type ScheduleWarning } from "../lib/schedule/schedule-warnings";
import { parseSchedule, type YamlIssue } from "../lib/yaml";
import { EXIT, type CliIo } from "./cli-io";
import { displayPath, formatIssues } from "./format-issues";
import { loadCliConfig } from "./load-cli-config";
import { scheduleLines } from "./task-lines";
import { plural } from "./plural";

export interface CheckedFile {
  file: string;
  valid: boolean;
  /** Number of tasks when valid. */
  tasks: number;
  issues: YamlIssue[];
  /** Of a valid file: clock changes that skip or repeat a run time, crowded minutes. */
  warnings: (ScheduleWarning & { line: number; column: number })[];
  /** Set when the file could not be read at all. */
  error?: string;
}

/**
 * `check [file...]`: validates schedule files offline (no database, no server), with the
 * same parser and limits the server uses. Exit 0 when every file is valid, 2 otherwise.
 */
export async function checkCommand(files: string[], options: { json: boolean }, io: CliIo): Promise<number> {
  const config = loadCliConfig(io);
  const targets = files.length > 0 ? files : [displayPath(config.scheduleConfigPath, io.cwd)];
  const results: CheckedFile[] = [];
  for (const file of targets) results.push(await checkFile(file, path.resolve(io.cwd, file), config.yamlMaxBytes));
  const valid = results.every((r) => r.valid);

  if (options.json) {
    io.stdout.write(`${JSON.stringify({ valid, files: results }, null, 2)}\n`);
  } else {
    for (const result of results) {
      if (result.error) io.stdout.write(`${result.file}: ${result.error}\n`);
      else if (result.valid) {
        for (const warning of result.warnings) io.stdout.write(`${result.file}:${warning.line}:${warning.column}: warning: ${warning.taskIds.length === 1 ? `${warning.taskIds[0]}: ` : ""}${warning.message}\n`);
        const warned = result.warnings.length ? `, ${plural(result.warnings.length, "warning")}` : "";
        io.stdout.write(`${result.file}: valid (${plural(result.tasks, "task")}${warned})\n`);
      }
      else io.stdout.write(`${formatIssues(result.file, result.issues)}\n`);
    }
    const invalid = results.filter((r) => !r.valid);
    if (invalid.length > 0) {
      const count = invalid.reduce((n, r) => n + Math.max(r.issues.length, 1), 0);
      io.stderr.write(`${plural(count, "problem")} in ${plural(invalid.length, "file")}; the server will not sync an invalid file.\n`);
    }
  }
  return valid ? EXIT.ok : EXIT.error;
}

async function checkFile(file: string, absolute: string, maxBytes: number): Promise<CheckedFile> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory, not a schedule file" : code === "EACCES" ? "permission denied" : (error as Error).message;
    return { file, valid: false, tasks: 0, issues: [], warnings: [], error: `cannot read: ${reason}` };
  }
  const parsed = parseSchedule(bytes, { maxBytes });
  if (!parsed.ok) return { file, valid: false, tasks: 0, issues: parsed.issues, warnings: [] };
  const lines = scheduleLines(Buffer.from(bytes).toString("utf8"));
  const warnings = scheduleWarnings([...parsed.tasks.values()], Date.now()).map((warning) => ({ ...warning, ...(lines.get(warning.taskIds[0]!) ?? { line: 1, column: 1 }) }));
  return { file, valid: true, tasks: parsed.tasks.size, issues: [], warnings };
}
