/** A minute in which many tasks start at once. */
export interface CrowdedMinute {
  /** The minute's start, ISO. */
  at: string;
  tasks: number;
  /** Up to 10 of the task ids starting then. */
  sample: string[];
}

export const CROWD_THRESHOLD = 8;

/**
 * Minutes in which at least `threshold` tasks start, busiest first, at most `limit`.
 * `starts` yields the ids of tasks sharing a schedule with one minute (ms) they start in;
 * each group must list a minute once.
 *
 * @example
 * crowdedMinutes([[["a", "b"], t], [["c"], t]], 3) // → [{ at: iso(t), tasks: 3, sample: ["a", "b", "c"] }]
 */
export function crowdedMinutes(starts: Iterable<readonly [readonly string[], number]>, threshold = CROWD_THRESHOLD, limit = 10): CrowdedMinute[] {
  const byMinute = new Map<number, { tasks: number; sample: string[] }>();
  for (const [ids, at] of starts) {
    const minute = Math.floor(at / 60_000);
    let entry = byMinute.get(minute);
    if (!entry) byMinute.set(minute, (entry = { tasks: 0, sample: [] }));
    entry.tasks += ids.length;
    for (const id of ids) {
      if (entry.sample.length >= 10) break;
      entry.sample.push(id);
    }
  }
  const crowded: { minute: number; tasks: number; sample: string[] }[] = [];
  for (const [minute, entry] of byMinute) if (entry.tasks >= threshold) crowded.push({ minute, ...entry });
  crowded.sort((a, b) => b.tasks - a.tasks || a.minute - b.minute);
  return crowded.slice(0, limit).map(({ minute, tasks, sample }) => ({ at: new Date(minute * 60_000).toISOString(), tasks, sample: sample.sort() }));
}
