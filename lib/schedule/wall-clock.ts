import { offsetMinutes } from "./zone-offsets";

const DAY = 86_400_000;
const cache = new Map<string, number>();

/**
 * The instant a local wall-clock time (given as UTC-floating ms) happens in `zone`, the way
 * cron-parser treats clock changes: a time that happens twice counts at its first occurrence,
 * a time skipped by a jump forward moves on by the jump (02:30 on a 02:00 → 03:00 night → 03:30).
 */
export function wallToInstant(zone: string, wall: number): number {
  const key = `${zone}|${wall}`;
  let instant = cache.get(key);
  if (instant !== undefined) return instant;
  const before = offsetMinutes(zone, wall - DAY);
  const after = offsetMinutes(zone, wall + DAY);
  const candidates = [wall - before * 60_000, wall - after * 60_000]
    .filter((t) => t + offsetMinutes(zone, t) * 60_000 === wall)
    .sort((a, b) => a - b);
  instant = candidates[0] ?? wall - before * 60_000;
  if (cache.size > 50_000) cache.clear();
  cache.set(key, instant);
  return instant;
}

/** The instant the local day containing `ms` starts in `zone`. */
export function startOfLocalDay(zone: string, ms: number): number {
  const wall = ms + offsetMinutes(zone, ms) * 60_000;
  return wallToInstant(zone, Math.floor(wall / DAY) * DAY);
}
