import { crowdedMinutes, CROWD_THRESHOLD } from "./crowded-minutes";
import { cronFields } from "./cron-fields";
import { dstWarnings } from "./dst-warnings";
import { forEachFiringHour, runsOfHour } from "./expand-runs";

export interface ScheduleWarning {
  kind: "dst_skipped" | "dst_doubled" | "crowded";
  /** The tasks it is about (a crowded minute names up to 10). */
  taskIds: string[];
  message: string;
}

const DAY = 86_400_000;

/**
 * What `schedule-sync check` warns about in a valid file: clock changes in the next 12 months
 * that skip or repeat a task's local run time, and minutes of the next day in which
 * `threshold` or more tasks start. Disabled tasks are left out (they do not run).
 */
export function scheduleWarnings(
  tasks: readonly { id: string; schedule: string; timezone: string; enabled: boolean }[],
  from: number,
  threshold = CROWD_THRESHOLD,
): ScheduleWarning[] {
  const warnings: ScheduleWarning[] = [];
  const groups = new Map<string, { schedule: string; zone: string; ids: string[] }>();
  for (const task of tasks) {
    if (!task.enabled) continue;
    const key = `${task.timezone}\u0000${task.schedule}`;
    const group = groups.get(key);
    if (group) group.ids.push(task.id);
    else groups.set(key, { schedule: task.schedule, zone: task.timezone, ids: [task.id] });
  }
  const starts: [string[], number][] = [];
  for (const group of groups.values()) {
    for (const warning of dstWarnings(group.schedule, group.zone, from)) {
      for (const id of group.ids) warnings.push({ kind: warning.kind, taskIds: [id], message: warning.message });
    }
    const fields = cronFields(group.schedule);
    if (!fields) continue;
    const runs: number[] = [];
    forEachFiringHour(fields, group.zone, from, from + DAY, (hour) => {
      runs.length = 0;
      runsOfHour(fields, hour, from, from + DAY, runs);
      let last = -1;
      for (const at of runs) {
        const minute = Math.floor(at / 60_000);
        if (minute !== last) starts.push([group.ids, at]);
        last = minute;
      }
    });
  }
  for (const minute of crowdedMinutes(starts, threshold)) {
    warnings.push({
      kind: "crowded",
      taskIds: minute.sample,
      message: `${minute.tasks} tasks start at ${minute.at.slice(0, 16).replace("T", " ")} UTC (${minute.sample.join(", ")}${minute.tasks > minute.sample.length ? ", …" : ""}); spread them over a few minutes`,
    });
  }
  return warnings;
}
