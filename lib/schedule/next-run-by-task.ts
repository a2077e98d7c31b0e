import { cronFields } from "./cron-fields";
import { expandRuns } from "./expand-runs";

const YEAR = 367 * 86_400_000;

/**
 * The next run (ms) after `from` of each enabled task with a valid schedule, by id; tasks
 * sharing a schedule and zone are computed once. Disabled tasks have none.
 */
export function nextRunsByTask(tasks: readonly { id: string; schedule: string; timezone: string; enabled: boolean }[], from: number): Map<string, number> {
  const byPair = new Map<string, number | null>();
  const next = new Map<string, number>();
  for (const task of tasks) {
    if (!task.enabled) continue;
    const key = `${task.timezone}\u0000${task.schedule}`;
    let at = byPair.get(key);
    if (at === undefined) {
      const fields = cronFields(task.schedule);
      at = fields ? (expandRuns(fields, task.timezone, from + 1, from + YEAR, 1)[0] ?? null) : null;
      byPair.set(key, at);
    }
    if (at !== null) next.set(task.id, at);
  }
  return next;
}
