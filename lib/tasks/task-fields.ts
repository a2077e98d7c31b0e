import { boundedMemo } from "./bounded-memo";
import type { Task } from "./task-schema";

export type { Task };

/**
 * The zod-free half of the task definition: field names, equality and the id and zone checks,
 * for browser code that compares or shows tasks but never parses one (zod would add ~20 KB
 * gzipped to every page). `task-schema` re-exports all of it.
 */

export const TASK_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export const TASK_FIELDS = ["name", "schedule", "timezone", "command", "enabled", "description", "tags"] as const;
export type TaskField = (typeof TASK_FIELDS)[number];

/** Whether `zone` is an IANA time zone this runtime knows. Memoized: each check costs ~0.1 ms. */
export const isValidTimezone: (zone: string) => boolean = boundedMemo(1_000, (zone) => {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
});

/** Field-by-field equality of two normalized tasks (ids are compared too). */
export function tasksEqual(a: Task, b: Task): boolean {
  if (a.id !== b.id) return false;
  for (const field of TASK_FIELDS) if (!fieldEqual(a[field], b[field])) return false;
  return true;
}

/** The fields whose values differ between two normalized tasks. */
export function changedFields(a: Task, b: Task): TaskField[] {
  return TASK_FIELDS.filter((field) => !fieldEqual(a[field], b[field]));
}

function fieldEqual(a: Task[TaskField], b: Task[TaskField]): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => v === b[i]);
  return a === b;
}
