/**
 * UTC offsets of IANA zones from the runtime's Intl data, and the instants where they change.
 * Pure (no Date.now): used by the DST warnings on the server, in the editor and in the CLI.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** Minutes east of UTC that `zone` is at instant `ms` (Europe/Berlin in July → 120). */
export function offsetMinutes(zone: string, ms: number): number {
  const parts = formatterFor(zone).formatToParts(new Date(ms));
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)!.value);
  const wall = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return Math.round((wall - Math.floor(ms / 1000) * 1000) / 60_000);
}

export interface ZoneTransition {
  /** The first instant (ms, minute-aligned) at the new offset. */
  at: number;
  /** Offset in minutes east of UTC just before and from `at` on. */
  before: number;
  after: number;
}

const STEP = 6 * 3_600_000;
const transitionCache = new Map<string, ZoneTransition[]>();

/**
 * Every offset change of `zone` in [from, to). Sampled every 6 hours, then narrowed to the
 * minute by bisection: zones change offset at most a few times a year, never twice in 6 h.
 */
export function zoneTransitions(zone: string, from: number, to: number): ZoneTransition[] {
  const key = `${zone}|${from}|${to}`;
  const hit = transitionCache.get(key);
  if (hit) return hit;
  const found: ZoneTransition[] = [];
  let t = from;
  let offset = offsetMinutes(zone, t);
  while (t < to) {
    const next = Math.min(t + STEP, to);
    const nextOffset = offsetMinutes(zone, next);
    if (nextOffset !== offset) {
      // Invariant: offset(lo) = offset, offset(hi) ≠ offset.
      let lo = t;
      let hi = next;
      while (hi - lo > 60_000) {
        const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
        if (mid <= lo) break;
        if (offsetMinutes(zone, mid) === offset) lo = mid;
        else hi = mid;
      }
      found.push({ at: hi, before: offset, after: offsetMinutes(zone, hi) });
    }
    t = next;
    offset = nextOffset;
  }
  if (transitionCache.size > 500) transitionCache.clear();
  transitionCache.set(key, found);
  return found;
}
