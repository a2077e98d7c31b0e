import type { Task } from "./task-schema";

/** A task as the database keeps it: its fields plus the row's bookkeeping. */
export interface StoredTask extends Task {
  /** Goes up by one with every write that changes a field (optimistic concurrency). */
  version: number;
  /** Who wrote it last: "api", "yaml", "merge", "resolve", "revert", … */
  source: string;
  createdAt: string;
  updatedAt: string;
}

/** The task's own fields, without the row's bookkeeping. */
export function taskOf(row: Task): Task {
  return {
    id: row.id,
    name: row.name,
    schedule: row.schedule,
    timezone: row.timezone,
    command: row.command,
    enabled: row.enabled,
    description: row.description,
    tags: row.tags,
  };
}
