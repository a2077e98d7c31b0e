import { describeSchedule, type ScheduleDescription } from "../client/describe-schedule";
import { dstWarnings, type DstWarning } from "./dst-warnings";

export interface SchedulePreview extends ScheduleDescription {
  /** Clock changes in the next 12 months that skip or repeat this schedule's local time. */
  dst: DstWarning[];
}

/**
 * What the task editor shows under the schedule while it is typed: the expression in words,
 * the next runs in the task's zone, a plain-words error, and the DST warnings. Computed on the
 * server, so the words library (cronstrue) stays out of the browser's JavaScript.
 */
export function previewSchedule(schedule: string, timezone: string, count: number, now = Date.now()): SchedulePreview {
  const described = describeSchedule(schedule, timezone, count, new Date(now));
  const dst = described.error || described.zoneError ? [] : dstWarnings(schedule, timezone, now);
  return { ...described, dst };
}
