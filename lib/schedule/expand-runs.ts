import type { CronFields } from "./cron-fields";
import { offsetMinutes } from "./zone-offsets";
import { wallToInstant } from "./wall-clock";

const HOUR = 3_600_000;
const DAY = 86_400_000;

/**
 * Calls `visit(hourStart, fields)` for every local hour (as an instant) in which the schedule
 * fires, from the one containing `from` until `to`, in order: each such hour holds
 * minutes × seconds runs at hourStart + m min + s s (see `runsOfHour`). Work is per matching
 * hour, not per run, so a week of 10,000 tasks stays cheap. Stops early when `visit` returns false.
 */
export function forEachFiringHour(fields: CronFields, zone: string, from: number, to: number, visit: (hourStart: number) => boolean | void): void {
  // Local days that can hold runs in [from, to): offsets are within ±14 h.
  const firstWall = from + offsetMinutes(zone, from) * 60_000 - DAY;
  const lastWall = to + offsetMinutes(zone, to) * 60_000 + DAY;
  for (let day = Math.floor(firstWall / DAY) * DAY; day <= lastWall; day += DAY) {
    const date = new Date(day);
    if (!fields.firesOn(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate())) continue;
    let previous = -Infinity;
    for (const hour of fields.hours) {
      const start = wallToInstant(zone, day + hour * HOUR);
      // Two local hours that land on one instant (a skipped hour moved onto the next) fire once.
      if (start === previous) continue;
      previous = start;
      if (start + HOUR <= from) continue;
      if (start >= to) return;
      if (visit(start) === false) return;
    }
  }
}

/** The run instants of one firing hour within [from, to), in order. */
export function runsOfHour(fields: CronFields, hourStart: number, from: number, to: number, out: number[], limit = Infinity): void {
  for (const minute of fields.minutes) {
    for (const second of fields.seconds) {
      const at = hourStart + minute * 60_000 + second * 1000;
      if (at < from) continue;
      if (at >= to || out.length >= limit) return;
      out.push(at);
    }
  }
}

/** Run instants of a schedule in [from, to), at most `limit`, computed from its fields. */
export function expandRuns(fields: CronFields, zone: string, from: number, to: number, limit = 10_000): number[] {
  const out: number[] = [];
  forEachFiringHour(fields, zone, from, to, (hourStart) => {
    runsOfHour(fields, hourStart, from, to, out, limit);
    return out.length < limit;
  });
  return out;
}
