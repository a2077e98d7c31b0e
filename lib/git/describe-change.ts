import { changedFields } from "../tasks/task-schema";
import { parseSchedule } from "../yaml/parse/parse-schedule";

/**
 * The subject of a commit of the schedule file: who changed it, then each task and its fields,
 * e.g. `dashboard: nightly-pg-dump command; weekly-report created`. At most `limit` tasks are
 * named ("… and 12 more").
 */
export function describeChange(prefix: string, before: string | null, after: string, limit = 8): string {
  const old = before === null ? null : parseSchedule(before);
  const now = parseSchedule(after);
  if (!now.ok) return `${prefix}: the schedule file (does not parse: ${now.issues[0]?.message ?? "invalid"})`;
  const oldTasks = old?.ok ? old.tasks : new Map();
  const parts: string[] = [];
  for (const [id, task] of now.tasks) {
    const was = oldTasks.get(id);
    if (!was) parts.push(`${id} created`);
    else {
      const fields = changedFields(was, task);
      if (fields.length > 0) parts.push(`${id} ${fields.join(", ")}`);
    }
  }
  for (const id of oldTasks.keys()) if (!now.tasks.has(id)) parts.push(`${id} deleted`);
  if (parts.length === 0) return `${prefix}: the schedule file's comments or layout`;
  const named = parts.slice(0, limit).join("; ");
  return `${prefix}: ${named}${parts.length > limit ? `; … and ${parts.length - limit} more` : ""}`;
}
