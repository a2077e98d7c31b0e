import { createHash } from "node:crypto";
import type { Task } from "../../tasks/task-schema";

/**
 * A task's digest: 128 bits of SHA-256 over its normalized fields in a fixed order, so equal
 * tasks (tasksEqual) have equal digests whatever their key order. Revisions keep digests per
 * task; lineage compares a file's tasks with them.
 */
export function taskDigest(task: Task | null): string | null {
  if (task === null) return null;
  const text = JSON.stringify([task.id, task.name, task.schedule, task.timezone, task.command, task.enabled, task.description ?? null, task.tags]);
  return createHash("sha256").update(text).digest("base64url").slice(0, 22);
}
