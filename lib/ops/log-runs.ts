import type { Logger } from "../log";
import type { RunObserver } from "./observe-runs";

/** Every recorded sync run as one log line: trigger, outcome, counts, duration (and the error of a failed one). */
export function logRuns(observer: RunObserver, log: Logger): () => void {
  return observer.onRun((run) => {
    const counts = run.counts as { total?: number; inSync?: number; toDb?: unknown; toYaml?: unknown; merged?: number };
    const fields = {
      runId: run.id,
      trigger: run.trigger,
      direction: run.direction,
      outcome: run.status,
      durationMs: run.durationMs,
      total: counts.total,
      inSync: counts.inSync,
      toDb: counts.toDb,
      toYaml: counts.toYaml,
      merged: counts.merged,
      conflicts: run.conflicts,
    };
    if (run.status === "error") log.warn({ ...fields, error: run.error }, "sync run failed");
    else log.info(fields, "sync run");
  });
}
