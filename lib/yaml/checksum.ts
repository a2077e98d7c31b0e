import { createHash } from "node:crypto";
import { TASK_FIELDS, type Task } from "../tasks/task-schema";

/** `"sha256:<hex>"` of the exact bytes (a string is hashed as UTF-8). */
export function sha256Checksum(data: string | Uint8Array): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

/**
 * Checksum of a set of tasks, independent of their order in the file, of comments and of
 * formatting: the value the store writes to `metadata.checksum`. A reader can tell whether any
 * task changed since the server last wrote the file by comparing it with this of what it parsed.
 */
export function tasksChecksum(tasks: Iterable<Task>): string {
  const sorted = [...tasks].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const rows = sorted.map((task) => [task.id, ...TASK_FIELDS.map((field) => task[field])]);
  return sha256Checksum(JSON.stringify(rows));
}
