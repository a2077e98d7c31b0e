import type { Task, TaskField } from "../lib/tasks/task-schema";

const MAX = 80;

/** One field value for a terminal line: strings quoted, lists bracketed, long text cut. */
export function formatValue(value: Task[TaskField] | undefined): string {
  if (value === null || value === undefined) return "(none)";
  const text = Array.isArray(value) ? `[${value.join(", ")}]` : typeof value === "string" ? JSON.stringify(value) : String(value);
  return text.length > MAX ? `${text.slice(0, MAX - 1)}…` : text;
}
