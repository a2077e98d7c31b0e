import client from "prom-client";
import type { Database } from "../db/create-database";
import type { SyncEngine } from "../sync/engine/sync-engine";
import type { ObservedRun, RunObserver } from "./observe-runs";

/** Triggers that sync a change of the file. */
const FILE_TRIGGERS = new Set(["watch", "converge", "startup", "cron", "manual", "cli"]);

export interface Metrics {
  readonly registry: client.Registry;
  /** The text exposition format, and its content type. */
  scrape(): Promise<{ contentType: string; body: string }>;
  /** An HTTP request answered: `route` is a template (`/api/tasks/:id`), never a raw path. */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  /** The file was saved (its mtime): the next run that writes the file's changes to the DB observes save → applied. */
  noteFileSaved(mtimeMs: number): void;
  /** Stops the listeners; the registry stays readable. */
  close(): void;
}

export interface MetricsDeps {
  db: Pick<Database, "query">;
  sync: Pick<SyncEngine, "status" | "drift">;
  observer: RunObserver;
  /** Node's default metrics (process, heap, event loop lag, GC). Default true. */
  defaultMetrics?: boolean;
}

/**
 * The Prometheus metrics of one process (prom-client), on its own registry: counters and
 * histograms move as runs, lock waits and requests happen; gauges (tasks by state, open
 * conflicts, seconds since the last successful sync, file validity) are read when scraped, from
 * the database and the engine, so every instance reports the deployment's state, not only its own.
 */
export function createMetrics(deps: MetricsDeps): Metrics {
  const registry = new client.Registry();
  // Gauges that read the same rows share one query per scrape.
  let scrapeId = 0;
  const perScrape = <T>(fn: () => Promise<T>): (() => Promise<T>) => {
    let cached: { id: number; value: Promise<T> } | null = null;
    return () => {
      if (cached?.id !== scrapeId) cached = { id: scrapeId, value: fn() };
      return cached.value;
    };
  };
  const registers = [registry];
  if (deps.defaultMetrics ?? true) client.collectDefaultMetrics({ register: registry });

  const runs = new client.Counter({
    name: "schedule_sync_runs_total",
    help: "Sync runs recorded, by trigger and outcome (success, error).",
    labelNames: ["trigger", "outcome"] as const,
    registers,
  });
  const runDuration = new client.Histogram({
    name: "schedule_sync_run_duration_seconds",
    help: "Duration of recorded sync runs, by trigger.",
    labelNames: ["trigger"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const writeThroughFailures = new client.Counter({
    name: "schedule_sync_write_through_failures_total",
    help: "API or UI writes (edits, reverts, resolutions) that could not be synced, by reason (an error code); a caller's mistake (404, 409 stale) is not counted.",
    labelNames: ["reason"] as const,
    registers,
  });
  const lockWait = new client.Histogram({
    name: "schedule_sync_lock_wait_seconds",
    help: "Time spent waiting for a lock: the file lock, or the database transaction with its cross-process lock.",
    labelNames: ["lock"] as const,
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10],
    registers,
  });
  const saveToApplied = new client.Histogram({
    name: "schedule_sync_file_save_to_applied_seconds",
    help: "From a save of the schedule file (its mtime) to the commit of the run that wrote its changes to the database.",
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers,
  });
  const requestDuration = new client.Histogram({
    name: "schedule_sync_http_request_duration_seconds",
    help: "HTTP requests answered, by method, route template and status.",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });

  // Newest first, on the started_at index.
  const lastSuccessQuery = perScrape(async (): Promise<number | null> => {
    const [row] = await deps.db.query<{ at: Date | string | null }>(
      "SELECT finished_at AS at FROM sync_runs WHERE status = 'success' ORDER BY started_at DESC LIMIT 1",
    );
    return row?.at ? new Date(row.at).getTime() : null;
  });
  new client.Gauge({
    name: "schedule_sync_seconds_since_last_successful_sync",
    help: "Seconds since the last successful sync run of any instance (absent before the first).",
    registers,
    async collect() {
      const at = await lastSuccessQuery().catch(() => null);
      if (at === null) this.reset();
      else this.set(Math.max(0, (Date.now() - at) / 1000));
    },
  });
  new client.Gauge({
    name: "schedule_sync_last_successful_sync_timestamp_seconds",
    help: "Unix time of the last successful sync run of any instance.",
    registers,
    async collect() {
      const at = await lastSuccessQuery().catch(() => null);
      if (at === null) this.reset();
      else this.set(at / 1000);
    },
  });
  new client.Gauge({
    name: "schedule_sync_yaml_valid",
    help: "1 when the schedule file parses and validates (or is missing, which a sync re-creates), 0 when it is invalid.",
    registers,
    collect() {
      this.set(deps.sync.status().yaml.valid === false ? 0 : 1);
    },
  });
  const conflictsByKind = perScrape(async () => {
    const rows = await deps.db.query<{ kind: string; n: number | string }>("SELECT kind, count(*) AS n FROM conflicts WHERE status = 'open' GROUP BY kind");
    return new Map(rows.map((row) => [row.kind, Number(row.n)]));
  });
  new client.Gauge({
    name: "schedule_sync_open_conflicts",
    help: "Open conflicts, held deletions excluded, and the age in seconds of the oldest (schedule_sync_oldest_open_conflict_seconds).",
    registers,
    async collect() {
      const kinds = await conflictsByKind().catch(() => null);
      if (!kinds) return;
      let open = 0;
      for (const [kind, n] of kinds) if (kind !== "held_deletion") open += n;
      this.set(open);
    },
  });
  new client.Gauge({
    name: "schedule_sync_oldest_open_conflict_seconds",
    help: "Age of the oldest open conflict (held deletions excluded); 0 when none is open.",
    registers,
    async collect() {
      const [row] = await deps.db
        .query<{ at: Date | string | null }>("SELECT min(detected_at) AS at FROM conflicts WHERE status = 'open' AND kind <> 'held_deletion'")
        .catch(() => [] as { at: null }[]);
      this.set(row?.at ? Math.max(0, (Date.now() - new Date(row.at).getTime()) / 1000) : 0);
    },
  });
  new client.Gauge({
    name: "schedule_sync_tasks",
    help: "Tasks by sync state: in_sync, differs (a sync would write it), conflict, held_deletion.",
    labelNames: ["state"] as const,
    registers,
    async collect() {
      const [kinds, drift, [count]] = await Promise.all([
        conflictsByKind(),
        deps.sync.drift().catch(() => null),
        deps.db.query<{ n: number | string }>("SELECT count(*) AS n FROM tasks"),
      ]).catch(() => [null, null, []] as const);
      if (!kinds) return;
      let conflict = 0;
      for (const [kind, n] of kinds) if (kind !== "held_deletion") conflict += n;
      const held = kinds.get("held_deletion") ?? 0;
      const differs = drift?.differing.size ?? 0;
      // Tasks only in the file (not yet in the DB) are among `differs`, not among the rows.
      const rows = Number(count?.n ?? 0);
      this.set({ state: "in_sync" }, Math.max(0, rows - conflict - held - differs));
      this.set({ state: "differs" }, differs);
      this.set({ state: "conflict" }, conflict);
      this.set({ state: "held_deletion" }, held);
    },
  });

  let pendingSave: number | null = null;
  const onRun = (run: ObservedRun) => {
    runs.inc({ trigger: run.trigger, outcome: run.status });
    runDuration.observe({ trigger: run.trigger }, run.durationMs / 1000);
    if (run.status === "success" && pendingSave !== null && FILE_TRIGGERS.has(run.trigger) && changedDb(run.counts)) {
      saveToApplied.observe(Math.max(0, (run.finishedAt.getTime() - pendingSave) / 1000));
      pendingSave = null;
    }
  };
  const stops = [
    deps.observer.onRun(onRun),
    deps.observer.onLockWait((kind, seconds) => lockWait.observe({ lock: kind }, seconds)),
    deps.observer.onWriteFailure((reason) => writeThroughFailures.inc({ reason })),
  ];

  return {
    registry,
    async scrape() {
      scrapeId++;
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
    observeRequest(method, route, status, seconds) {
      requestDuration.observe({ method, route, status: String(status) }, seconds);
    },
    noteFileSaved(mtimeMs) {
      // The first save not yet applied counts: a burst of saves is applied by one run.
      pendingSave ??= mtimeMs;
    },
    close() {
      for (const stop of stops) stop();
    },
  };
}

/** Whether a run's counts (PlanSummary) include writes to the DB side. */
function changedDb(counts: Record<string, unknown>): boolean {
  const toDb = counts.toDb as { create?: number; update?: number; delete?: number } | undefined;
  return !!toDb && (toDb.create ?? 0) + (toDb.update ?? 0) + (toDb.delete ?? 0) > 0;
}


