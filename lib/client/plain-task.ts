import type { Task } from "@/lib/tasks/task-schema";

/** Just the task's own fields of a stored row (version, source, conflict… dropped). */
export function plainTask<T extends Task>(row: T | null): Task | null {
  if (!row) return null;
  const { id, name, schedule, timezone, command, enabled, description, tags } = row;
  return { id, name, schedule, timezone, command, enabled, description, tags };
}
