import { changedFields, type Task } from "../tasks/task-schema";

/**
 * The subject of a commit of the schedule file: who changed it, then each task and its fields,
 * e.g. `dashboard: nightly-pg-dump command; weekly-report created`. At most `limit` tasks are
 * named ("… and 12 more"). `after` null: the file does not parse (a hand edit in progress).
 */
export function describeChange(prefix: string, before: ReadonlyMap<string, Task> | null, after: ReadonlyMap<string, Task> | null, limit = 8): string {
  if (!after) return `${prefix}: the schedule file (it does not parse)`;
  const old = before ?? new Map<string, Task>();
  const parts: string[] = [];
  for (const [id, task] of after) {
    const was = old.get(id);
    if (!was) parts.push(`${id} created`);
    else if (was !== task) {
      const fields = changedFields(was, task);
      if (fields.length > 0) parts.push(`${id} ${fields.join(", ")}`);
    }
  }
  for (const id of old.keys()) if (!after.has(id)) parts.push(`${id} deleted`);
  if (parts.length === 0) return `${prefix}: the schedule file's comments or layout`;
  const named = parts.slice(0, limit).join("; ");
  return `${prefix}: ${named}${parts.length > limit ? `; … and ${parts.length - limit} more` : ""}`;
}
