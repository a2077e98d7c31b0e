import { cronFields, type CronFields } from "./cron-fields";
import { crowdedMinutes, CROWD_THRESHOLD, type CrowdedMinute } from "./crowded-minutes";
import { dstWarnings, type DstWarning } from "./dst-warnings";
import { forEachFiringHour, runsOfHour } from "./expand-runs";
import { offsetMinutes } from "./zone-offsets";

/** What the timeline needs of a task. */
export interface TimelineTask {
  id: string;
  name: string;
  schedule: string;
  timezone: string;
  command: string;
  tags: string[];
}

export interface TimelineOptions {
  /** Start of the window (ms); rounded down to the viewer's hour. */
  from: number;
  /** Length of the window in hours (24 or 168). */
  hours: number;
  viewerZone: string;
  /** Only tasks with this tag. */
  tag?: string;
  /** Rows shown by tag; the rest are summed into one "other tags" row. */
  maxTagRows?: number;
  /** Entries of the upcoming-runs list (from the window start, over its first 24 h). */
  listLimit?: number;
  crowdThreshold?: number;
}

export const NO_TAG = "(no tag)";
export const OTHER_TAGS = "(other tags)";

export interface TimelineRow {
  tag: string;
  tasks: number;
  /** Runs per hour bucket. */
  runs: number[];
}

export interface UpcomingRun {
  at: string;
  taskId: string;
  name: string;
  timezone: string;
  command: string;
}

export interface DstWarningGroup extends DstWarning {
  /** Tasks this clock change affects, at most 10, and how many in all. */
  taskIds: string[];
  tasks: number;
  inWindow: boolean;
}

export interface ScheduleTimeline {
  from: string;
  hours: number;
  viewerZone: string;
  /** Start of each hour bucket, ISO. */
  bucketStarts: string[];
  /** Runs per bucket over every shown task. */
  total: number[];
  rows: TimelineRow[];
  tasks: number;
  runs: number;
  upcoming: UpcomingRun[];
  /** Runs in the first 24 h beyond `upcoming`. */
  upcomingMore: number;
  dst: DstWarningGroup[];
  crowded: CrowdedMinute[];
  crowdThreshold: number;
  tags: string[];
}

const HOUR = 3_600_000;

/**
 * When every given task fires in a window, aggregated into hour buckets per tag: the output's
 * size depends on the window and the number of tag rows, never on the number of runs, so a
 * week of 10,000 tasks renders as a few hundred cells. Tasks sharing a schedule and zone are
 * expanded once. Invalid schedules are left out (the file's validation reports them).
 */
export function scheduleTimeline(allTasks: readonly TimelineTask[], options: TimelineOptions): ScheduleTimeline {
  const viewerOffset = offsetMinutes(options.viewerZone, options.from) * 60_000;
  const from = Math.floor((options.from + viewerOffset) / HOUR) * HOUR - viewerOffset;
  const to = from + options.hours * HOUR;
  const listTo = from + 24 * HOUR;
  const listLimit = options.listLimit ?? 100;
  const threshold = options.crowdThreshold ?? CROWD_THRESHOLD;
  const tasks = options.tag ? allTasks.filter((t) => t.tags.includes(options.tag!)) : allTasks;
  const tagSet = new Set<string>();
  for (const task of allTasks) for (const tag of task.tags) tagSet.add(tag);

  // Tasks by schedule and zone: the same expansion serves all of them.
  const groups = new Map<string, { fields: CronFields; zone: string; schedule: string; tasks: TimelineTask[] }>();
  for (const task of tasks) {
    const key = `${task.timezone}\u0000${task.schedule}`;
    let group = groups.get(key);
    if (!group) {
      const fields = cronFields(task.schedule);
      if (!fields) continue;
      groups.set(key, (group = { fields, zone: task.timezone, schedule: task.schedule, tasks: [] }));
    }
    group.tasks.push(task);
  }

  const total = new Array<number>(options.hours).fill(0);
  const byTag = new Map<string, { tasks: number; runs: number[] }>();
  const rowOf = (tag: string) => {
    let row = byTag.get(tag);
    if (!row) byTag.set(tag, (row = { tasks: 0, runs: new Array<number>(options.hours).fill(0) }));
    return row;
  };
  let runCount = 0;
  const upcoming: { at: number; task: TimelineTask }[] = [];
  let upcomingAll = 0;
  const minuteStarts: [readonly string[], number][] = [];
  const dst: DstWarningGroup[] = [];
  const dstByChange = new Map<string, DstWarningGroup>();
  const hourRuns: number[] = [];

  for (const group of groups.values()) {
    const { fields } = group;
    const perHour = fields.minutes.length * fields.seconds.length;
    const bucketRuns = new Array<number>(options.hours).fill(0);
    const ids = group.tasks.map((task) => task.id);
    let listed = 0;
    forEachFiringHour(fields, group.zone, from, to, (hourStart) => {
      hourRuns.length = 0;
      // A whole hour inside the window in one viewer bucket: no need to look at each run.
      if (hourStart >= from && hourStart + HOUR <= to && (hourStart - from) % HOUR === 0) {
        bucketRuns[(hourStart - from) / HOUR] += perHour;
      } else {
        runsOfHour(fields, hourStart, from, to, hourRuns);
        for (const at of hourRuns) bucketRuns[Math.floor((at - from) / HOUR)]++;
      }
      if (hourStart < listTo) {
        hourRuns.length = 0;
        runsOfHour(fields, hourStart, from, listTo, hourRuns);
        upcomingAll += hourRuns.length * group.tasks.length;
        for (const at of hourRuns) {
          if (listed >= listLimit) break;
          listed++;
          for (const task of group.tasks) upcoming.push({ at, task });
        }
        // Crowding looks at the minutes runs start in over the first day.
        let lastMinute = -1;
        for (const at of hourRuns) {
          const minute = Math.floor(at / 60_000);
          if (minute !== lastMinute) minuteStarts.push([ids, at]);
          lastMinute = minute;
        }
      }
    });
    let groupRuns = 0;
    for (let i = 0; i < options.hours; i++) {
      const runs = bucketRuns[i];
      if (runs === 0) continue;
      groupRuns += runs;
      total[i] += runs * group.tasks.length;
    }
    runCount += groupRuns * group.tasks.length;
    for (const task of group.tasks) {
      const tags = task.tags.length ? task.tags : [NO_TAG];
      for (const tag of tags) {
        const row = rowOf(tag);
        row.tasks++;
        for (let i = 0; i < options.hours; i++) if (bucketRuns[i]) row.runs[i] += bucketRuns[i];
      }
    }
    for (const warning of dstWarnings(group.schedule, group.zone, from)) {
      const key = `${warning.zone}|${warning.at}|${warning.kind}|${warning.times.join(",")}`;
      let entry = dstByChange.get(key);
      if (!entry) {
        entry = { ...warning, taskIds: [], tasks: 0, inWindow: Date.parse(warning.at) < to };
        dstByChange.set(key, entry);
        dst.push(entry);
      }
      entry.tasks += group.tasks.length;
      for (const task of group.tasks) if (entry.taskIds.length < 10) entry.taskIds.push(task.id);
    }
  }

  upcoming.sort((a, b) => a.at - b.at || a.task.id.localeCompare(b.task.id));
  const shown = upcoming.slice(0, listLimit);
  const maxRows = options.maxTagRows ?? 12;
  const sorted = [...byTag.entries()].sort((a, b) => sum(b[1].runs) - sum(a[1].runs) || a[0].localeCompare(b[0]));
  const rows: TimelineRow[] = sorted.slice(0, maxRows).map(([tag, row]) => ({ tag, tasks: row.tasks, runs: row.runs }));
  if (sorted.length > maxRows) {
    const rest: TimelineRow = { tag: OTHER_TAGS, tasks: 0, runs: new Array<number>(options.hours).fill(0) };
    for (const [, row] of sorted.slice(maxRows)) {
      rest.tasks += row.tasks;
      row.runs.forEach((n, i) => (rest.runs[i] += n));
    }
    rows.push(rest);
  }
  dst.sort((a, b) => a.at.localeCompare(b.at) || a.zone.localeCompare(b.zone));

  return {
    from: new Date(from).toISOString(),
    hours: options.hours,
    viewerZone: options.viewerZone,
    bucketStarts: Array.from({ length: options.hours }, (_, i) => new Date(from + i * HOUR).toISOString()),
    total,
    rows,
    tasks: tasks.length,
    runs: runCount,
    upcoming: shown.map(({ at, task }) => ({ at: new Date(at).toISOString(), taskId: task.id, name: task.name, timezone: task.timezone, command: task.command })),
    upcomingMore: Math.max(0, upcomingAll - shown.length),
    dst,
    crowded: crowdedMinutes(minuteStarts, threshold),
    crowdThreshold: threshold,
    tags: [...tagSet].sort(),
  };
}

function sum(values: number[]): number {
  let n = 0;
  for (const v of values) n += v;
  return n;
}
