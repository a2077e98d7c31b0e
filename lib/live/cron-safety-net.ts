import { CronExpressionParser } from "cron-parser";
import cron, { type ScheduledTask } from "node-cron";

export interface CronSafetyNet {
  nextRun(): Date | null;
  stop(): Promise<void>;
}

export interface CronTick {
  /** The shortest time between two runs of the expression (0 when unknown). */
  periodMs: number;
}

/**
 * The node-cron safety net: a periodic bidirectional sync catches whatever the watcher
 * missed (network file systems, events lost in bursts). `noOverlap` skips a tick while
 * the previous one still runs. With several instances every instance's job fires; the
 * engine lets one run and the others skip (`skipIfRanWithinMs`: half the period).
 */
export function startCronSafetyNet(expression: string, run: (tick: CronTick) => Promise<unknown>, onError: (error: unknown) => void): CronSafetyNet {
  if (!cron.validate(expression)) throw new Error(`SYNC_CRON '${expression}' is not a valid cron expression (or 'off')`);
  const quiet = { info() {}, warn() {}, error() {}, debug() {} };
  const tick: CronTick = { periodMs: shortestPeriodMs(expression) };
  const task: ScheduledTask = cron.schedule(
    expression,
    async () => {
      try {
        await run(tick);
      } catch (error) {
        onError(error);
      }
    },
    { name: "schedule-sync", noOverlap: true, logger: quiet },
  );
  return {
    nextRun: () => task.getNextRun(),
    stop: async () => {
      await task.stop();
      await task.destroy();
    },
  };
}

/** The shortest gap between the next few runs of `expression` (0 when cron-parser cannot read it). */
export function shortestPeriodMs(expression: string, from = new Date()): number {
  try {
    const times = CronExpressionParser.parse(expression, { currentDate: from })
      .take(8)
      .map((date) => date.getTime());
    let shortest = Infinity;
    for (let i = 1; i < times.length; i++) shortest = Math.min(shortest, times[i]! - times[i - 1]!);
    return Number.isFinite(shortest) ? shortest : 0;
  } catch {
    return 0;
  }
}
