import { cronFields, type CronFields } from "./cron-fields";
import { zoneTransitions } from "./zone-offsets";

/**
 * A clock change in the schedule's own zone that skips or repeats a local time the schedule
 * fires at: spring forward (Europe/Berlin 02:00 → 03:00) skips 02:30; fall back (03:00 → 02:00)
 * makes 02:30 happen twice. What a runner does then differs (cron-parser moves a skipped run
 * to after the jump and fires a doubled time once; others skip or run twice), so it is worth
 * a warning either way.
 */
export interface DstWarning {
  kind: "dst_skipped" | "dst_doubled";
  zone: string;
  /** The instant of the clock change, ISO. */
  at: string;
  /** Local date of the change, `2027-03-28`. */
  date: string;
  /** Local wall-clock times the clocks jump between, `02:00` → `03:00`. */
  clockFrom: string;
  clockTo: string;
  /** The schedule's local times in the skipped or repeated span (at most 5), `02:30`. */
  times: string[];
  message: string;
}

const MAX_TIMES = 5;
const YEAR = 366 * 86_400_000;

/**
 * The DST warnings of one schedule from `from` up to `to` (default: one year on). Schedules that
 * fire in every hour are left out: losing or repeating one of 24+ runs a day is not news.
 *
 * @example
 * dstWarnings("30 2 * * *", "Europe/Berlin", Date.parse("2027-03-01T00:00:00Z"), Date.parse("2027-04-01T00:00:00Z"))
 * // → [{ kind: "dst_skipped", date: "2027-03-28", clockFrom: "02:00", clockTo: "03:00", times: ["02:30"], … }]
 */
export function dstWarnings(expr: string, zone: string, from: number, to = from + YEAR): DstWarning[] {
  const fields = cronFields(expr);
  if (!fields || fields.hours.length >= 24) return [];
  const warnings: DstWarning[] = [];
  for (const change of zoneTransitions(zone, from, to)) {
    const jump = change.after - change.before;
    if (jump === 0) continue;
    // Local wall-clock span (as UTC-floating ms) that is skipped (jump > 0) or repeated.
    const wallBefore = change.at + change.before * 60_000;
    const wallAfter = change.at + change.after * 60_000;
    const [spanStart, spanEnd] = jump > 0 ? [wallBefore, wallAfter] : [wallAfter, wallBefore];
    const times = wallTimesIn(fields, spanStart, spanEnd);
    if (times.length === 0) continue;
    const kind = jump > 0 ? "dst_skipped" : "dst_doubled";
    const date = isoDate(wallBefore);
    const clockFrom = hhmm(wallBefore);
    const clockTo = hhmm(wallAfter);
    const list = listTimes(times);
    warnings.push({
      kind,
      zone,
      at: new Date(change.at).toISOString(),
      date,
      clockFrom,
      clockTo,
      times: times.slice(0, MAX_TIMES),
      message:
        kind === "dst_skipped"
          ? `On ${date} the clocks in ${zone} jump from ${clockFrom} to ${clockTo}: ${list} ${times.length === 1 ? "does" : "do"} not exist that day, so ${times.length === 1 ? "that run is" : "those runs are"} moved or skipped.`
          : `On ${date} the clocks in ${zone} go back from ${clockFrom} to ${clockTo}: ${list} ${times.length === 1 ? "happens" : "happen"} twice that night, so ${times.length === 1 ? "that run" : "those runs"} may fire twice.`,
    });
  }
  return warnings;
}

/** Wall-clock times in [start, end) (UTC-floating ms) the schedule fires at; a few more than shown. */
function wallTimesIn(fields: CronFields, start: number, end: number): string[] {
  const times: string[] = [];
  const seconds = fields.seconds.length > 1 || fields.seconds[0] !== 0;
  for (let hour = Math.floor(start / 3_600_000) * 3_600_000; hour < end; hour += 3_600_000) {
    const date = new Date(hour);
    if (!fields.hours.includes(date.getUTCHours())) continue;
    if (!fields.firesOn(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate())) continue;
    for (const minute of fields.minutes) {
      for (const second of fields.seconds) {
        const at = hour + minute * 60_000 + second * 1000;
        if (at < start || at >= end) continue;
        times.push(hhmm(at, seconds));
        if (times.length > MAX_TIMES) return times;
      }
    }
  }
  return times;
}

function listTimes(times: string[]): string {
  if (times.length === 1) return times[0]!;
  const shown = times.slice(0, MAX_TIMES);
  const more = times.length > MAX_TIMES ? " and later times" : "";
  return `${shown.slice(0, -1).join(", ")} and ${shown.at(-1)}${more}`;
}

function isoDate(wall: number): string {
  return new Date(wall).toISOString().slice(0, 10);
}

function hhmm(wall: number, seconds = false): string {
  return new Date(wall).toISOString().slice(11, seconds ? 19 : 16);
}
