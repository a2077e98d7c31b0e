import cronstrue from "cronstrue";
import { cronError, normalizeCron, nextRuns } from "@/lib/tasks/cron";
import { isValidTimezone } from "@/lib/tasks/task-fields";

export interface ScheduleDescription {
  /** Plain words, e.g. "At 02:00"; null when the expression is not valid. */
  text: string | null;
  /** The next runs formatted in the task's own time zone. */
  next: { iso: string; label: string }[];
  /** Why the expression is invalid, in plain words. */
  error: string | null;
  /** Set instead when the expression is fine but the time zone is not one this runtime knows. */
  zoneError?: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timezone: string, seconds: boolean): Intl.DateTimeFormat {
  const key = `${timezone}|${seconds}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-GB", {
      timeZone: timezone,
      weekday: "short",
      day: "numeric",
      month: "short",
      hour: "2-digit",
      minute: "2-digit",
      ...(seconds ? { second: "2-digit" } : {}),
      hourCycle: "h23",
    });
    formatters.set(key, formatter);
  }
  return formatter;
}

/** Descriptions by count, zone and expression; a list page repeats the same few schedules. */
const cache = new Map<string, { value: ScheduleDescription; from: number; until: number }>();
const CACHE_SIZE = 2000;

/**
 * What a schedule means and when it next fires, in the task's time zone.
 *
 * Cached: a description made at time `f` holds for any `from` in [f, first next run), so a
 * dashboard of 100 tasks does not parse 100 cron expressions per render (~1.5 ms each).
 * The result is shared: do not change it.
 *
 * @example
 * describeSchedule("0 2 * * *", "Europe/Berlin", 2)
 * // → { text: "At 02:00", next: [{ label: "Wed 26 Nov, 02:00 Europe/Berlin", … }, …], error: null }
 */
export function describeSchedule(expr: string, timezone: string, count = 3, from = new Date()): ScheduleDescription {
  const key = `${count}|${timezone}|${expr}`;
  const at = from.getTime();
  const hit = cache.get(key);
  if (hit && hit.from <= at && at < hit.until) return hit.value;
  const value = describeUncached(expr, timezone, count, from);
  // An invalid expression stays invalid; a list of runs holds until the first of them.
  const until = value.error ? Infinity : value.next.length > 0 ? Date.parse(value.next[0]!.iso) : at;
  if (until > at) {
    cache.delete(key);
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
    cache.set(key, { value, from: value.error ? -Infinity : at, until });
  }
  return value;
}

function describeUncached(expr: string, timezone: string, count: number, from: Date): ScheduleDescription {
  const error = cronError(expr);
  if (error) return { text: null, next: [], error };
  let text: string | null = null;
  try {
    text = cronstrue.toString(normalizeCron(expr), { use24HourTimeFormat: true, verbose: false });
  } catch {
    text = null;
  }
  if (!isValidTimezone(timezone)) return { text, next: [], error: null, zoneError: `“${timezone}” is not a known time zone (e.g. UTC, Europe/Berlin)` };
  let next: ScheduleDescription["next"] = [];
  try {
    const seconds = expr.trim().split(/\s+/).length === 6;
    const formatter = formatterFor(timezone, seconds);
    next = nextRuns(expr, timezone, count, from).map((date) => ({
      iso: date.toISOString(),
      label: `${formatter.format(date)} ${timezone}`,
    }));
  } catch (err) {
    return { text, next: [], error: err instanceof Error ? err.message : String(err) };
  }
  return { text, next, error: null };
}
