import { CronExpressionParser } from "cron-parser";

/** One entry of a crontab as cron reads it: the zone in force (CRON_TZ), the schedule, the command after unescaping. */
export interface CrontabEntry {
  /** The task id from the comment line right above the entry. */
  id: string | null;
  timezone: string;
  schedule: string;
  command: string;
}

/**
 * Reads a crontab the way cronie does, for the tests: `NAME=value` lines set variables (CRON_TZ
 * the zone of the entries below it), `#` lines are comments, an entry is five fields and a
 * command in which `\%` is a literal % (an unescaped % would start the job's stdin). Each
 * schedule is parsed by cron-parser, so an entry it cannot read fails here.
 */
export function readCrontab(text: string): CrontabEntry[] {
  const entries: CrontabEntry[] = [];
  let timezone = "UTC";
  let id: string | null = null;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    if (line.startsWith("#")) {
      id = /^# ([a-z0-9][a-z0-9_-]*): /.exec(line)?.[1] ?? id;
      continue;
    }
    const variable = /^([A-Z_]+)=(.*)$/.exec(line);
    if (variable) {
      if (variable[1] === "CRON_TZ") timezone = variable[2]!;
      continue;
    }
    const match = /^(\S+ \S+ \S+ \S+ \S+) (.+)$/.exec(line);
    if (!match) throw new Error(`not a crontab entry: ${line}`);
    const raw = match[2]!;
    if (/(^|[^\\])%/.test(raw)) throw new Error(`an unescaped % in: ${line}`);
    CronExpressionParser.parse(match[1]!, { tz: timezone });
    entries.push({ id, timezone, schedule: match[1]!, command: raw.replace(/\\%/g, "%") });
    id = null;
  }
  return entries;
}

/** The next `count` fire times of `schedule` in `timezone` after `from`, as ISO strings. */
export function nextRuns(schedule: string, timezone: string, from: Date, count = 8): string[] {
  const interval = CronExpressionParser.parse(schedule, { tz: timezone, currentDate: from });
  return Array.from({ length: count }, () => interval.next().toDate().toISOString());
}
