import cron, { type ScheduledTask } from "node-cron";

export interface CronSafetyNet {
  nextRun(): Date | null;
  stop(): Promise<void>;
}

/**
 * The node-cron safety net: a periodic bidirectional sync catches whatever the watcher
 * missed (network file systems, events lost in bursts). `noOverlap` skips a tick while
 * the previous one still runs; the engine's mutex also queues it behind any other run.
 */
export function startCronSafetyNet(expression: string, run: () => Promise<unknown>, onError: (error: unknown) => void): CronSafetyNet {
  if (!cron.validate(expression)) throw new Error(`SYNC_CRON '${expression}' is not a valid cron expression (or 'off')`);
  const quiet = { info() {}, warn() {}, error() {}, debug() {} };
  const task: ScheduledTask = cron.schedule(
    expression,
    async () => {
      try {
        await run();
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
