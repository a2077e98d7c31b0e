import { randomUUID } from "node:crypto";
import type { EventBus } from "../../events/event-bus";
import type { Actor } from "../../people/actor";
import type { Task } from "../../tasks/task-schema";
import type { ScheduleStore } from "../../yaml";
import type { DeleteGuard, Direction, Plan } from "../reconcile/plan";
import { reconcile } from "../reconcile/reconcile";
import type { Resolution } from "../reconcile/resolve-conflict";
import { summarizePlan, type PlanSummary } from "../reconcile/summarize-plan";
import { DEFAULT_REVISION_LIMITS, type RevisionLimits, type SyncStorage } from "../storage/sync-storage";
import type { LineageNote } from "./file-lineage";
import { applyPlan, sourceOf, yamlTasksOf, type Trigger } from "./apply-plan";
import type { EngineParts } from "./engine-parts";
import { createConvergenceLoop, systemClock, type LoopClock } from "./convergence-loop";
import { createCompleteFileWait } from "./complete-file";
import { createDriftCheck } from "./drift";
import { decideHeldDeletions, type HeldAction } from "./held-deletions";
import { createLockedRunner, SyncBusy } from "./locked-run";
import { createMutex } from "./mutex";
import { resolveOpenConflict } from "./resolve-open-conflict";
import { restoreRevision } from "./restore-revision";
import { createSettledScope } from "./settled-scope";
import { isDatabaseUnavailable } from "../../db/database-errors";
import { isCodedError } from "../../errors";
import { notFound, SyncError } from "./sync-errors";
import { createSyncStatus } from "./sync-status";
import { writeTask, type TaskWrite, type TaskWriteResult } from "./write-task";

export type { Trigger } from "./apply-plan";
export type { YamlState } from "./sync-status";
export type { TaskWrite, TaskWriteResult } from "./write-task";
export type { RestoreResult } from "./restore-revision";

export interface RunOptions {
  trigger: Trigger;
  /** Who asked for the run (issue #18); unset: what the trigger implies. */
  actor?: Actor;
  direction?: Direction;
  force?: boolean;
  dryRun?: boolean;
  /**
   * Only for `trigger: "cron"`: also skip when another instance finished a cron run this recently
   * (the same tick, seen a moment later). Every instance's cron fires; one runs.
   */
  skipIfRanWithinMs?: number;
}

export interface RunResult {
  runId: string | null;
  /** `skipped`: a cron run that found the sync held, or just done, elsewhere (see `run`). */
  status: "success" | "error" | "dry_run" | "skipped";
  trigger: Trigger;
  direction: Direction;
  counts: PlanSummary;
  conflicts: number;
  changedTaskIds: string[];
  durationMs: number;
  yamlChecksum: string | null;
  error?: string;
  /** Why a run was skipped. */
  reason?: string;
  /** Only for dry runs: every decision that would change something. */
  plan?: Plan["decisions"];
  /** Only for dry runs: the base (last agreed version, null = none) of each task the plan writes. */
  bases?: Record<string, Task | null>;
  /** Set when the file derived from an older revision than the latest (issue #17). */
  lineage?: LineageNote | null;
}

export interface SyncEngineDeps {
  storage: SyncStorage;
  store: ScheduleStore;
  events: EventBus;
  autoMerge: boolean;
  /** Bidirectional runs hold a side's mass deletions (docs/ARCHITECTURE.md); null: never. Default 10 tasks and 25 %. */
  deleteGuard?: DeleteGuard | null;
  log?: (level: "info" | "warn" | "error", message: string) => void;
  /** The convergence loop's timers (a simulation passes virtual ones). */
  clock?: LoopClock;
  /**
   * Sync the file's other changes by themselves when a one-task write or a resolution found
   * them (default true). Off with SYNC_WATCH=off: then only cron and a person sync the file.
   */
  followUps?: boolean;
  /**
   * How long a file that looks cut off (it lost tasks and does not end with a line break) is
   * given to be completed before a run reads it for good. Default 3000.
   */
  partialWriteMs?: number;
  /** How many file revisions are kept (SYNC_REVISIONS, default 200, and 30 days). */
  revisions?: RevisionLimits;
}

export const DEFAULT_DELETE_GUARD: DeleteGuard = { count: 10, fraction: 0.25 };

export type SyncEngine = ReturnType<typeof createSyncEngine>;

/**
 * The sync engine: the I/O shell around the pure `reconcile`. Every run, full or one task, is
 * serialized in this process (a mutex) and across processes (locked-run.ts: the file lock and
 * the storage's lock), reconciles, applies its plan in one transaction with at most one write
 * of the file (apply-plan.ts), and publishes what it changed once committed (sync-status.ts).
 * A one-task API write is write-task.ts, a conflict resolution resolve-open-conflict.ts.
 */
export function createSyncEngine(deps: SyncEngineDeps) {
  const { storage, store, events, autoMerge } = deps;
  const log = deps.log ?? ((level, message) => console[level](`[sync] ${message}`));
  const status = createSyncStatus({ path: store.path, events, storage });
  const settled = createSettledScope();
  const parts: EngineParts = {
    path: store.path,
    storage,
    store,
    mutex: createMutex(),
    locked: createLockedRunner({ storage, store, onRead: (read) => status.observeRead(read), clock: deps.clock }),
    settled,
    status,
    awaitCompleteFile: createCompleteFileWait({
      store,
      clock: deps.clock ?? systemClock,
      waitMs: deps.partialWriteMs ?? 3000,
      settledCount: () => settled.taskCount(),
    }),
    followUp: () => {
      if (deps.followUps ?? true) loop.markDirty("converge");
    },
    applyEnv: {
      path: store.path,
      autoMerge,
      deleteGuard: deps.deleteGuard === undefined ? DEFAULT_DELETE_GUARD : deps.deleteGuard,
      revisions: deps.revisions ?? DEFAULT_REVISION_LIMITS,
      onWrite: (checksum) => status.observeWrite(checksum),
      backups: store,
    },
  };

  const drift = createDriftCheck(parts);
  // An invalid file waits for the next change; anything else (a lost database, a busy or full disk) may heal.
  const transient = (error: unknown) => !(isCodedError(error) && error.code === "yaml_invalid");
  /** Both sides are as the last settled run left them (or the file is invalid: nothing to do until it is fixed). */
  async function converged(): Promise<boolean> {
    const [read, generation] = await Promise.all([store.read(), storage.reads.loadGeneration()]);
    return read.status === "invalid" || parts.settled.holds(generation, read);
  }
  const loop = createConvergenceLoop({
    run: (reason) => run({ trigger: reason as Trigger }),
    converged,
    transient,
    describe: (error) => (isDatabaseUnavailable(error) ? "database unavailable (its connection was refused or lost)" : error instanceof Error ? error.message : String(error)),
    clock: deps.clock,
    onError: (_, loopStatus) =>
      log("warn", `sync failed${loopStatus.retryAt ? `, retrying in ${Math.max(0, Math.round((loopStatus.retryAt - (deps.clock ?? systemClock).now()) / 1000))} s` : ""}: ${loopStatus.lastError}`),
    onStatus: () => status.set(status.snapshot().state),
  });

  /**
   * One full sync run (or its plan, when dry). Throws SyncError for invalid input; failures are recorded.
   *
   * A cron run does not queue: when a sync is running in this process, or another instance (or
   * the CLI) holds the file lock or the storage's lock, or another instance finished this tick's
   * cron run (`skipIfRanWithinMs`), it returns `status: "skipped"` at once, logged, not recorded
   * as a run and not an error. Every other trigger waits its turn.
   */
  async function run(options: RunOptions): Promise<RunResult> {
    const direction = options.direction ?? "bidirectional";
    const force = options.force ?? false;
    const noWait = options.trigger === "cron" && !options.dryRun;
    const result = (startedAt: number, fields: Partial<RunResult> & Pick<RunResult, "status">): RunResult => ({
      runId: null,
      trigger: options.trigger,
      direction,
      counts: summarizePlan({ direction, decisions: [] }),
      conflicts: 0,
      changedTaskIds: [],
      yamlChecksum: status.yaml.checksum,
      ...fields,
      durationMs: Date.now() - startedAt,
    });
    const skipped = (reason: string, startedAt: number) => {
      log("info", `${options.trigger} sync skipped: ${reason}`);
      return result(startedAt, { status: "skipped", reason });
    };
    if (noWait && parts.mutex.busy) return skipped("a sync is running in this process", Date.now());
    // Cron never waits (it skips when busy); every other run reads a complete file.
    if (options.trigger !== "cron") await parts.awaitCompleteFile();
    return parts.mutex.run(async () => {
      const startedAt = Date.now();
      if (options.dryRun) {
        return parts.locked(async (ctx) => {
          const missing = ctx.yaml.status === "missing";
          const yaml = yamlTasksOf(ctx.yaml, store.path);
          const { db, base, open } = await ctx.tx.loadState();
          // A real run re-creates a missing file from the DB: show exactly that.
          const plan = reconcile(
            { base, yaml, db, openConflicts: open },
            missing ? { direction: "db_to_yaml", force: true, autoMerge } : { direction, force, autoMerge, deleteGuard: parts.applyEnv.deleteGuard ?? undefined },
          );
          const counts = summarizePlan(plan);
          return result(startedAt, {
            status: "dry_run",
            counts,
            conflicts: counts.conflicts,
            plan: plan.decisions.filter((d) => d.action !== "in_sync"),
            // The agreed versions behind the writes, so a dry run can say which edits a write would discard.
            bases: Object.fromEntries(plan.decisions.filter((d) => d.action === "write_yaml" || d.action === "write_db").map((d) => [d.id, base.get(d.id) ?? null])),
          });
        });
      }
      // A run that may be skipped says "running" only once it holds the locks.
      if (!noWait) status.set("running");
      try {
        const settle = direction === "bidirectional" && !force;
        const applied = await parts.locked(
          async (ctx) => {
            const unsettled = await parts.settled.of(ctx.tx, ctx.yaml, direction, force);
            return applyPlan(
              ctx,
              {
                scope: unsettled?.scope ?? null,
                outside: unsettled?.outside,
                trigger: options.trigger,
                actor: options.actor,
                direction,
                force,
                startedAt,
                settle,
                headChecksum: unsettled ? parts.settled.headChecksum() : null,
              },
              parts.applyEnv,
            );
          },
          noWait ? { noWait, skipIfRanWithinMs: options.skipIfRanWithinMs, onLocked: () => status.set("running") } : {},
        );
        parts.settled.set(applied.settled);
        await status.published(applied, sourceOf(applied.writes));
        await status.refreshConflictCount();
        status.set("idle", applied.runId, null);
        return result(startedAt, {
          runId: applied.runId,
          status: "success",
          counts: applied.summary,
          conflicts: applied.summary.conflicts,
          changedTaskIds: applied.changedTaskIds,
          yamlChecksum: applied.checksum,
          lineage: applied.lineage,
        });
      } catch (error) {
        if (error instanceof SyncBusy) return skipped(error.message, startedAt);
        parts.settled.set(null);
        const message = error instanceof Error ? error.message : String(error);
        const runId = await recordFailure(options.trigger, direction, startedAt, message, options.actor);
        status.set("error", runId, message);
        throw error;
      }
    });
  }

  async function recordFailure(trigger: Trigger, direction: Direction, startedAt: number, message: string, actor?: Actor): Promise<string | null> {
    const runId = randomUUID();
    try {
      await storage.recordRun({
        id: runId,
        trigger,
        direction,
        status: "error",
        counts: {},
        conflicts: 0,
        error: message,
        yamlChecksum: status.yaml.checksum,
        startedAt: new Date(startedAt),
        durationMs: Date.now() - startedAt,
        actor,
      });
      return runId;
    } catch (error) {
      log("error", `could not record the failed run: ${(error as Error).message}`);
      return null;
    }
  }

  return {
    run,
    /** The start-up sync; when it fails for a reason that may heal, the convergence loop retries it. */
    async startup(): Promise<RunResult> {
      try {
        return await run({ trigger: "startup" });
      } catch (error) {
        if (transient(error)) loop.markDirty("startup");
        throw error;
      }
    },
    /** An API write as a sync of that one task (write-task.ts). */
    writeTask: (write: TaskWrite, trigger: Trigger = "api", source = "api"): Promise<TaskWriteResult> => writeTask(parts, write, trigger, source),
    /** Resolves an open conflict on both sides at once (resolve-open-conflict.ts). */
    resolveConflict: (conflictId: string, resolution: Resolution, merged?: Task, actor?: Actor) => resolveOpenConflict(parts, conflictId, resolution, merged, actor),
    /** Puts a task back, on both sides, to how it was right after one of its recorded changes. */
    async revertTask(taskId: string, changeId: string, actor?: Actor): Promise<TaskWriteResult> {
      const recorded = await storage.reads.getChange(changeId);
      // A change of this id; a rename away from it is another task's version.
      if (!recorded || recorded.taskId !== taskId) throw notFound("Change", changeId);
      if (recorded.after === null && recorded.before === null) throw new SyncError("nothing_to_revert", "That change holds no version");
      return writeTask(parts, { kind: "set", id: taskId, task: recorded.after, actor }, "revert", "revert");
    },
    /** Puts both sides back to a file revision on purpose, as one run; `dryRun` answers the plan (restore-revision.ts). */
    restoreRevision: (revisionId: string, dryRun = false, actor?: Actor) => restoreRevision(parts, revisionId, dryRun, actor),
    /** Stops the loop and waits for queued runs (graceful shutdown). */
    async close() {
      await loop.close();
      await parts.mutex.idle();
    },
    /** Waits for queued runs. */
    idle: () => parts.mutex.idle(),
    /** Runs `work` between runs of this engine (git mode merges the file and records conflicts there). */
    exclusive: <T>(work: () => Promise<T>): Promise<T> => parts.mutex.run(work),
    get busy() {
      return parts.mutex.busy;
    },
    /** Decides the held mass deletions of one side (held-deletions.ts). */
    decideHeldDeletions: (deletedIn: "yaml" | "db", action: HeldAction, dryRun = false, actor?: Actor) => decideHeldDeletions(parts, deletedIn, action, dryRun, actor),
    /** Something may have changed either side: the loop syncs until both agree (convergence-loop.ts). */
    markDirty: (reason: "watch" | "startup" | "converge") => loop.markDirty(reason),
    /** Tells the browsers to look again (the status and the drift may have changed) without syncing. */
    announce: () => status.set(status.snapshot().state),
    /** Resolves once the loop has nothing to do. */
    converge: () => loop.idle(),
    /** How the sides differ now, outside open conflicts (drift.ts). */
    drift,
    status: () => ({ ...status.snapshot(), loop: loop.status() }),
    /** Re-reads the file without locking to refresh the YAML validity shown in the status. */
    async refreshYamlState() {
      status.observeRead(await store.read());
      return status.snapshot().yaml;
    },
    /**
     * True when the file on disk is content whose every task is synced (the engine's own writes,
     * no-op saves). Only a settled run vouches for that: a one-task write that read a file with
     * other unsynced edits does not, so the watcher still syncs them.
     */
    isKnownChecksum: (checksum: string | null) => checksum !== null && checksum === parts.settled.checksum(),
    refreshConflictCount: () => status.refreshConflictCount(),
  };
}
