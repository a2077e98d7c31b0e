import { CronExpressionParser } from "cron-parser";
import { normalizeCron } from "@/lib/tasks/cron";

/**
 * The reference the schedule expansion is checked against: cron-parser iterating itself.
 * Run instants (ms) of a valid cron expression in `zone` within [from, to), at most `limit`.
 * `capped` says the limit cut the list short. Every instant is one cron-parser yields.
 */
export function runsInWindow(expr: string, zone: string, from: number, to: number, limit: number): { runs: number[]; capped: boolean } {
  const interval = CronExpressionParser.parse(normalizeCron(expr), { tz: zone, currentDate: new Date(from - 1), endDate: new Date(to) });
  const runs: number[] = [];
  while (runs.length < limit) {
    if (!interval.hasNext()) return { runs, capped: false };
    const at = interval.next().getTime();
    if (at >= to) return { runs, capped: false };
    if (at >= from) runs.push(at);
  }
  return { runs, capped: interval.hasNext() };
}
