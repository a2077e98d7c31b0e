import { randomUUID } from "node:crypto";
import { AppError, conflictError, notFound } from "../api/errors";
import type { Database } from "../db/create-database";
import type { EventBus } from "../events/event-bus";
import type { ScheduleConfigUpdated, SyncState } from "../events/events";
import { tasksEqual, type Task } from "../tasks/task-schema";
import { YamlStoreError, type LockedSchedule, type ReadResult, type ScheduleStore, type YamlIssue } from "../yaml";
import { createMutex } from "./mutex";
import type { Direction, Plan, TaskMap } from "./plan";
import { change, planWrites, type PlanWrites } from "./plan-writes";
import { reconcile } from "./reconcile";
import { ResolveConflictError, resolutionTask, type Resolution } from "./resolve-conflict";
import { summarizePlan, type PlanSummary } from "./summarize-plan";
import { yamlInvalidError } from "./sync-errors";
import * as repo from "./sync-repository";

/**
 * The sync engine: the I/O shell around the pure `reconcile`. Every run, full or one
 * task, holds (in this order) the in-process mutex, the YAML file lock, one DB
 * transaction and, on PostgreSQL, a transaction-scoped advisory lock, so runs are
 * serialized in this process and across instances sharing the database and file.
 * The YAML is written inside the transaction: a failed write rolls the DB back, and
 * a failed commit after a successful write is healed by the next run (the base has
 * not moved, so the file's new content reads as a YAML-side change that matches).
 */

export type Trigger = "startup" | "watch" | "cron" | "manual" | "api" | "resolve" | "revert" | "cli";

export interface RunOptions {
  trigger: Trigger;
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
}

export interface YamlState {
  path: string;
  valid: boolean | null;
  missing: boolean;
  checksum: string | null;
  issues: YamlIssue[];
}

export interface SyncEngineDeps {
  db: Database;
  store: ScheduleStore;
  events: EventBus;
  autoMerge: boolean;
  log?: (level: "info" | "warn" | "error", message: string) => void;
}

export type TaskWrite =
  | { kind: "create"; task: Task }
  | { kind: "replace"; id: string; task: Task; version?: number }
  | { kind: "patch"; id: string; patch: (current: Task) => Task; version?: number }
  | { kind: "delete"; id: string; version?: number }
  | { kind: "set"; id: string; task: Task | null };

export interface TaskWriteResult {
  task: repo.StoredTask | null;
  runId: string;
  /** Set when the YAML holds an unsynced hand edit of the same field(s): the DB keeps the API's value. */
  conflict: repo.ConflictRecord | null;
  /** True when an unsynced hand edit of other fields was merged in. */
  merged: boolean;
}

const SYNC_LOCK_KEY = 7262301577;
const SYNC_LOCK_SQL = `SELECT pg_advisory_xact_lock(${SYNC_LOCK_KEY})`;
const SYNC_TRY_LOCK_SQL = `SELECT pg_try_advisory_xact_lock(${SYNC_LOCK_KEY}) AS locked`;
const RECENT_CRON_SQL = `SELECT EXISTS (SELECT 1 FROM sync_runs WHERE trigger = 'cron' AND status = 'success'
  AND finished_at > clock_timestamp() - $1 * interval '1 millisecond') AS ran`;

/** A run that may not wait found the sync held (or just done) elsewhere. */
class SyncBusy extends Error {}
const TX_OPTIONS = { maxWait: 60_000, timeout: 10 * 60_000 };
const STALE_RETRIES = 3;

interface Ctx {
  tx: repo.Tx;
  file: LockedSchedule;
  yaml: ReadResult;
}

interface Applied {
  runId: string;
  writes: PlanWrites;
  summary: PlanSummary;
  opened: repo.ConflictRecord[];
  closed: repo.ConflictRecord[];
  checksum: string | null;
  changedTaskIds: string[];
  /** What the run left, when asked to `settle`: becomes `settled` once the transaction committed. */
  settled: Settled | null;
}

/**
 * The state a committed bidirectional, unforced run left: the file (its checksum and tasks)
 * and the DB's change generation. Every task was then in sync or in an open conflict.
 */
interface Settled {
  checksum: string;
  yaml: ReadonlyMap<string, Task>;
  generation: string;
}

export type SyncEngine = ReturnType<typeof createSyncEngine>;

export function createSyncEngine(deps: SyncEngineDeps) {
  const { db, store, events, autoMerge } = deps;
  const log = deps.log ?? ((level, message) => console[level](`[sync] ${message}`));
  const mutex = createMutex();
  let state: SyncState = "idle";
  let lastError: string | null = null;
  let openConflicts = 0;
  const yamlState: YamlState = { path: store.path, valid: null, missing: false, checksum: null, issues: [] };
  // The reconcile decides each task on its own, and a task whose three sides are as the last
  // run left them gets nothing to do. So while the DB's generation is where `settled` says, a
  // run reconciles only the tasks whose YAML changed since: none on a cron tick over an
  // untouched file, a few after a hand edit, instead of reading and comparing every row.
  let settled: Settled | null = null;

  function observeYaml(read: ReadResult) {
    yamlState.missing = read.status === "missing";
    yamlState.valid = read.status !== "invalid";
    yamlState.checksum = read.status === "missing" ? null : read.checksum;
    yamlState.issues = read.status === "invalid" ? read.issues : [];
  }

  function setState(next: SyncState, runId: string | null = null) {
    state = next;
    events.publish("sync_status_changed", { status: { state, runId, error: lastError, openConflicts } });
  }

  /**
   * Mutex → YAML lock → DB transaction → advisory lock; retried when the file changed under us.
   * `noWait` takes both locks only if they are free (else SyncBusy), and skips when a cron run
   * finished within `skipIfRanWithinMs` on any instance; `onLocked` runs once both are held.
   */
  async function locked<T>(work: (ctx: Ctx) => Promise<T>, opts: { noWait?: boolean; skipIfRanWithinMs?: number; onLocked?: () => void } = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await store.withLock(
          (file) =>
            db.prisma.$transaction(async (tx) => {
              if (db.kind === "postgresql" && opts.noWait) {
                const [row] = await tx.$queryRawUnsafe<{ locked: boolean }[]>(SYNC_TRY_LOCK_SQL);
                if (!row?.locked) throw new SyncBusy("another instance is syncing");
              } else if (db.kind === "postgresql") {
                await tx.$executeRawUnsafe(SYNC_LOCK_SQL);
              }
              if (opts.skipIfRanWithinMs && opts.skipIfRanWithinMs > 0) {
                const [row] = await tx.$queryRawUnsafe<{ ran: boolean }[]>(RECENT_CRON_SQL, Math.round(opts.skipIfRanWithinMs));
                if (row?.ran) throw new SyncBusy("this tick already ran on another instance");
              }
              opts.onLocked?.();
              const yaml = await file.read();
              observeYaml(yaml);
              return work({ tx, file, yaml });
            }, TX_OPTIONS),
          { wait: !opts.noWait },
        );
      } catch (error) {
        if (opts.noWait && error instanceof YamlStoreError && error.code === "lock_timeout") throw new SyncBusy("the schedule file is locked by another writer");
        if (error instanceof YamlStoreError && error.code === "stale" && attempt < STALE_RETRIES) continue;
        throw mapStoreError(error);
      }
    }
  }

  function mapStoreError(error: unknown): unknown {
    if (!(error instanceof YamlStoreError)) return error;
    if (error.code === "invalid_file") return yamlInvalidError(error.issues ?? [], store.path);
    if (error.code === "lock_timeout") return new AppError(503, "yaml_locked", `The schedule file is locked by another writer; try again. (${error.message})`);
    if (error.code === "stale") return new AppError(503, "yaml_busy", "The schedule file kept changing during the sync; try again.");
    if (error.code === "io") return storageError(error);
    return new AppError(500, "yaml_write_failed", `Could not write the schedule file: ${error.message}`);
  }

  function yamlTasks(ctx: Ctx): Map<string, Task> {
    if (ctx.yaml.status === "invalid") throw yamlInvalidError(ctx.yaml.issues, store.path);
    return ctx.yaml.status === "ok" ? ctx.yaml.tasks : new Map();
  }

  /**
   * Reconciles `scope` (null: every task) and applies the plan. `edit` is an API
   * write applied to the DB first, so the plan sees the DB as the API left it.
   */
  async function reconcileAndApply(
    ctx: Ctx,
    options: {
      scope: string[] | null;
      trigger: Trigger;
      direction: Direction;
      force: boolean;
      startedAt: number;
      edit?: { id: string; before: Task | null; after: Task | null; source: string };
      /** Resolution recorded on conflicts this run closes; derived from the run when unset. */
      closeAs?: string;
      /** The state of `scope` when the caller read it already in this transaction. */
      state?: repo.SyncState;
      /** Return what the run leaves as `settled` (the caller knows the tasks outside `scope` were settled). */
      settle?: boolean;
      /** The settled tasks outside `scope`, counted into the run as a full run would count them. */
      outside?: { inSync: number; conflicts: number };
    },
  ): Promise<Applied> {
    const missing = ctx.yaml.status === "missing";
    // A missing file is re-created from the whole DB: patching one task into a new file
    // would make every other task look deleted on the YAML side.
    const scope = missing ? null : options.scope;
    const yamlAll = yamlTasks(ctx);
    const { db: dbMap, base, open } = options.state && !missing ? options.state : await repo.loadSyncState(ctx.tx, scope ?? undefined);
    const extraChanges: repo.ChangeRecord[] = [];
    if (options.edit) {
      const { id, before, after, source } = options.edit;
      if (after) {
        await repo.upsertTasks(ctx.tx, [after], source);
        dbMap.set(id, after);
      } else {
        await repo.deleteTasks(ctx.tx, [id]);
        dbMap.delete(id);
      }
      extraChanges.push(change(id, "db", before, after));
    }
    const yamlMap: TaskMap = missing ? dbMap : scope ? pick(yamlAll, scope) : yamlAll;
    const plan = reconcile({ base, yaml: yamlMap, db: dbMap, openConflicts: open }, { direction: options.direction, force: options.force, autoMerge });
    const writes = planWrites(plan, base, open);
    if (missing) writes.yamlUpserts = [...dbMap.values()];

    const runId = randomUUID();
    const bySource = new Map<string, Task[]>();
    for (const task of writes.dbUpserts) {
      const source = writes.dbSources.get(task.id) ?? "yaml";
      const group = bySource.get(source);
      if (group) group.push(task);
      else bySource.set(source, [task]);
    }
    for (const [source, tasks] of bySource) await repo.upsertTasks(ctx.tx, tasks, source);
    await repo.deleteTasks(ctx.tx, writes.dbDeletes);
    await repo.setBase(ctx.tx, writes.baseSet);
    await repo.deleteBase(ctx.tx, writes.baseDelete);
    const opened = await repo.upsertOpenConflicts(ctx.tx, writes.conflicts, runId);
    const closed = await repo.closeConflicts(
      ctx.tx,
      writes.closeConflicts,
      options.closeAs ?? (options.force && options.direction !== "bidirectional" ? `forced_${options.direction}` : "converged"),
    );

    let checksum = ctx.yaml.status === "missing" ? null : ctx.yaml.checksum;
    // The file's tasks once this run is done, looked at only when it settles.
    let tasksAfter = (): ReadonlyMap<string, Task> | null => (ctx.yaml.status === "ok" ? ctx.yaml.tasks : null);
    if (missing || writes.yamlUpserts.length > 0 || writes.yamlDeletes.length > 0) {
      const result = await ctx.file.write(
        {
          upsert: writes.yamlUpserts,
          delete: writes.yamlDeletes,
          metadata: { sync_source: writes.merged > 0 ? "merge" : "db" },
        },
        { expectedChecksum: checksum },
      );
      checksum = result.checksum;
      tasksAfter = () => result.tasks;
      yamlState.checksum = checksum;
      yamlState.missing = false;
      yamlState.valid = true;
    }

    const changes = [...extraChanges, ...writes.changes];
    const summary = summarizePlan(plan);
    // The API's own DB write happened before planning; the run's counts include it.
    for (const edit of extraChanges) summary.toDb[edit.action]++;
    if (options.outside) {
      summary.inSync += options.outside.inSync;
      summary.conflicts += options.outside.conflicts;
      summary.total += options.outside.inSync + options.outside.conflicts;
    }
    await repo.insertRun(
      ctx.tx,
      {
        id: runId,
        trigger: options.trigger,
        direction: options.direction,
        status: "success",
        counts: { ...summary },
        conflicts: summary.conflicts,
        error: null,
        yamlChecksum: checksum,
        startedAt: new Date(options.startedAt),
        durationMs: Date.now() - options.startedAt,
      },
      changes,
    );
    let next: Settled | null = null;
    const yamlAfter = options.settle && checksum !== null ? tasksAfter() : null;
    if (yamlAfter) next = { checksum: checksum!, yaml: yamlAfter, generation: await repo.loadGeneration(ctx.tx) };
    return { runId, writes, summary, opened, closed, checksum, changedTaskIds: [...new Set(changes.map((c) => c.taskId))], settled: next };
  }

  /**
   * The tasks a bidirectional, unforced run must reconcile: those whose YAML changed since
   * `settled`, or null (all of them) when the DB changed since, or nothing is settled.
   */
  async function unsettledScope(ctx: Ctx, direction: Direction, force: boolean): Promise<{ scope: string[]; outside: { inSync: number; conflicts: number } } | null> {
    if (direction !== "bidirectional" || force || !settled || ctx.yaml.status !== "ok") return null;
    if ((await repo.loadGeneration(ctx.tx)) !== settled.generation) return null;
    const scope = changedIds(settled.yaml, ctx.yaml.tasks);
    return { scope, outside: await repo.countSettled(ctx.tx, scope) };
  }

  /** Events go out only after the transaction committed. */
  async function publish(applied: Applied, source: ScheduleConfigUpdated["source"]) {
    if (applied.changedTaskIds.length > 0) {
      events.publish("schedule_config_updated", {
        source,
        runId: applied.runId,
        changedTaskIds: applied.changedTaskIds,
        checksum: applied.checksum,
      });
    }
    for (const conflict of applied.opened) {
      events.publish("sync_conflict_detected", {
        conflict: { id: conflict.id, taskId: conflict.taskId, kind: conflict.kind, fields: conflict.fields, detectedAt: conflict.detectedAt },
      });
    }
    for (const conflict of applied.closed) {
      events.publish("sync_conflict_resolved", { conflictId: conflict.id, taskId: conflict.taskId, resolution: conflict.resolution ?? "converged" });
    }
    if (applied.opened.length > 0 || applied.closed.length > 0) await refreshConflictCount();
  }

  async function refreshConflictCount() {
    try {
      openConflicts = await repo.countOpenConflicts(db.prisma);
    } catch {
      // Status only; the next successful count corrects it.
    }
  }

  function sourceOf(writes: PlanWrites): ScheduleConfigUpdated["source"] {
    const toDb = writes.dbUpserts.length + writes.dbDeletes.length > 0;
    const toYaml = writes.yamlUpserts.length + writes.yamlDeletes.length > 0;
    if (writes.merged > 0 || (toDb && toYaml)) return "merge";
    return toDb ? "yaml" : "db";
  }

  async function recordFailure(options: RunOptions, direction: Direction, startedAt: number, message: string): Promise<string | null> {
    const runId = randomUUID();
    try {
      await repo.insertRun(db.prisma, {
        id: runId,
        trigger: options.trigger,
        direction,
        status: "error",
        counts: {},
        conflicts: 0,
        error: message,
        yamlChecksum: yamlState.checksum,
        startedAt: new Date(startedAt),
        durationMs: Date.now() - startedAt,
      });
      return runId;
    } catch (error) {
      log("error", `could not record the failed run: ${(error as Error).message}`);
      return null;
    }
  }

  /**
   * One full sync run (or its plan, when dry). Throws AppError for invalid input; failures are recorded.
   *
   * A cron run does not queue: when a sync is running in this process, or another instance (or
   * the CLI) holds the file lock or the advisory lock, or another instance finished this tick's
   * cron run (`skipIfRanWithinMs`), it returns `status: "skipped"` at once, logged, not recorded
   * as a run and not an error. Every other trigger waits its turn.
   */
  async function run(options: RunOptions): Promise<RunResult> {
    const direction = options.direction ?? "bidirectional";
    const force = options.force ?? false;
    const noWait = options.trigger === "cron" && !options.dryRun;
    const skipped = (reason: string, startedAt: number): RunResult => {
      log("info", `${options.trigger} sync skipped: ${reason}`);
      return {
        runId: null,
        status: "skipped",
        trigger: options.trigger,
        direction,
        counts: summarizePlan({ direction, decisions: [] }),
        conflicts: 0,
        changedTaskIds: [],
        durationMs: Date.now() - startedAt,
        yamlChecksum: yamlState.checksum,
        reason,
      };
    };
    if (noWait && mutex.busy) return skipped("a sync is running in this process", Date.now());
    return mutex.run(async () => {
      const startedAt = Date.now();
      if (options.dryRun) {
        return locked(async (ctx) => {
          const missing = ctx.yaml.status === "missing";
          const yaml = yamlTasks(ctx);
          const { db: dbMap, base, open } = await repo.loadSyncState(ctx.tx);
          // A real run re-creates a missing file from the DB: show exactly that.
          const plan = reconcile(
            { base, yaml, db: dbMap, openConflicts: open },
            missing ? { direction: "db_to_yaml", force: true, autoMerge } : { direction, force, autoMerge },
          );
          const summary = summarizePlan(plan);
          return {
            runId: null,
            status: "dry_run" as const,
            trigger: options.trigger,
            direction,
            counts: summary,
            conflicts: summary.conflicts,
            changedTaskIds: [],
            durationMs: Date.now() - startedAt,
            yamlChecksum: yamlState.checksum,
            plan: plan.decisions.filter((d) => d.action !== "in_sync"),
            // The agreed versions behind the writes, so a dry run can say which edits a write would discard.
            bases: Object.fromEntries(plan.decisions.filter((d) => d.action === "write_yaml" || d.action === "write_db").map((d) => [d.id, base.get(d.id) ?? null])),
          };
        });
      }
      // A run that may be skipped says "running" only once it holds the locks.
      if (!noWait) setState("running");
      try {
        const settle = direction === "bidirectional" && !force;
        const applied = await locked(
          async (ctx) => {
            const unsettled = await unsettledScope(ctx, direction, force);
            return reconcileAndApply(ctx, { scope: unsettled?.scope ?? null, outside: unsettled?.outside, trigger: options.trigger, direction, force, startedAt, settle });
          },
          noWait ? { noWait, skipIfRanWithinMs: options.skipIfRanWithinMs, onLocked: () => setState("running") } : {},
        );
        settled = applied.settled;
        lastError = null;
        await publish(applied, sourceOf(applied.writes));
        const result: RunResult = {
          runId: applied.runId,
          status: "success",
          trigger: options.trigger,
          direction,
          counts: applied.summary,
          conflicts: applied.summary.conflicts,
          changedTaskIds: applied.changedTaskIds,
          durationMs: Date.now() - startedAt,
          yamlChecksum: applied.checksum,
        };
        await refreshConflictCount();
        setState("idle", applied.runId);
        return result;
      } catch (error) {
        if (error instanceof SyncBusy) return skipped(error.message, startedAt);
        settled = null;
        const message = error instanceof Error ? error.message : String(error);
        lastError = message;
        const runId = await recordFailure(options, direction, startedAt, message);
        setState("error", runId);
        throw error;
      }
    });
  }

  /**
   * An API write as a sync of that one task (DESIGN.md §4): the DB takes the API's
   * value, then the task is reconciled against the YAML, so an unsynced hand edit of
   * the same task is merged (disjoint fields) or becomes a conflict, never overwritten.
   */
  async function writeTask(write: TaskWrite, trigger: Trigger = "api", source = "api"): Promise<TaskWriteResult> {
    const id = write.kind === "create" ? write.task.id : write.id;
    return mutex.run(async () => {
      const startedAt = Date.now();
      const applied = await locked(async (ctx) => {
        yamlTasks(ctx); // an invalid file refuses the write before anything changes
        // The task's state, read once for the version check and for the reconcile.
        const state = await repo.loadSyncState(ctx.tx, [id]);
        const before = state.db.get(id) ?? null;
        const after = await nextValue(write, before, state.versions.get(id), ctx.tx);
        const edit = before && after && tasksEqual(before, after) ? undefined : { id, before, after, source };
        // Every other task stays as it was: settled before this write means settled after it.
        const settle = settled !== null && state.generation === settled.generation && ctx.yaml.status === "ok" && ctx.yaml.checksum === settled.checksum;
        return reconcileAndApply(ctx, { scope: [id], trigger, direction: "bidirectional", force: false, startedAt, edit, state, settle });
      });
      if (applied.settled) settled = applied.settled;
      await publish(applied, source === "revert" ? "revert" : "api");
      const { task, conflict } = await repo.loadTaskAndConflict(db.prisma, id);
      return { task, runId: applied.runId, conflict, merged: applied.writes.merged > 0 };
    });
  }

  /** The task the write asks for; the full stored row is read only for the 409 that shows it. */
  async function nextValue(write: TaskWrite, current: Task | null, version: number | undefined, tx: repo.Tx): Promise<Task | null> {
    const stored = async () => (await repo.loadTasks(tx, [current!.id])).get(current!.id) ?? null;
    if (write.kind === "create") {
      if (current) throw conflictError("already_exists", `Task '${write.task.id}' already exists`, { task: await stored() });
      return write.task;
    }
    if (write.kind === "set") return write.task;
    if (!current) throw notFound("Task", write.id);
    if (write.version !== undefined && write.version !== version) {
      throw conflictError("stale_version", `Task '${write.id}' changed since version ${write.version}; it is now at version ${version}`, {
        current: await stored(),
      });
    }
    if (write.kind === "delete") return null;
    if (write.kind === "replace") return write.task;
    return write.patch(current);
  }

  /**
   * Resolves an open conflict on both sides at once. If either side changed since the
   * conflict was recorded, the conflict is refreshed and a 409 carries the new version.
   */
  async function resolveConflict(conflictId: string, resolution: Resolution, merged?: Task) {
    return mutex.run(async () => {
      const startedAt = Date.now();
      const outcome = await locked(async (ctx) => {
        const conflict = await repo.getConflict(ctx.tx, conflictId);
        if (!conflict) throw notFound("Conflict", conflictId);
        if (conflict.status !== "open") throw conflictError("conflict_closed", `Conflict ${conflictId} is already resolved (${conflict.resolution})`);
        const { taskId } = conflict;
        const dbRow = (await repo.loadTasks(ctx.tx, [taskId])).get(taskId) ?? null;
        const dbNow = dbRow ? repo.toTask(dbRow) : null;
        const scope = { scope: [taskId], trigger: "resolve" as const, startedAt };
        if (!sameTask(yamlTasks(ctx).get(taskId) ?? null, conflict.yaml) || !sameTask(dbNow, conflict.db)) {
          // Refresh the conflict (and commit that) before answering 409.
          const applied = await reconcileAndApply(ctx, { ...scope, direction: "bidirectional", force: false });
          return { stale: true as const, applied, taskId };
        }
        let target: Task | null;
        try {
          target = resolutionTask({ id: taskId, yaml: conflict.yaml, db: conflict.db }, resolution, merged);
        } catch (error) {
          if (error instanceof ResolveConflictError) throw new AppError(400, error.code, error.message);
          throw error;
        }
        // The chosen version goes to the DB, then a forced DB→YAML run of this one task
        // writes it to the file, moves the base and closes the conflict.
        const edit = sameTask(dbNow, target) ? undefined : { id: taskId, before: dbNow, after: target, source: "resolve" };
        const applied = await reconcileAndApply(ctx, { ...scope, direction: "db_to_yaml", force: true, edit, closeAs: resolution });
        return { stale: false as const, applied, taskId };
      });
      await publish(outcome.applied, "resolve");
      if (outcome.stale) {
        const refreshed = (await repo.loadOpenConflicts(db.prisma, [outcome.taskId])).get(outcome.taskId) ?? null;
        throw conflictError(
          "conflict_stale",
          refreshed
            ? "A side changed after this conflict was detected; the conflict was refreshed. Review it and resolve again."
            : "A side changed after this conflict was detected and both sides now agree; nothing to resolve.",
          { conflict: refreshed },
        );
      }
      const task = (await repo.loadTasks(db.prisma, [outcome.taskId])).get(outcome.taskId) ?? null;
      return { runId: outcome.applied.runId, task };
    });
  }

  return {
    run,
    writeTask,
    resolveConflict,
    /** Waits for queued runs (graceful shutdown). */
    idle: () => mutex.idle(),
    get busy() {
      return mutex.busy;
    },
    status() {
      return { state, lastError, openConflicts, yaml: { ...yamlState } };
    },
    /** Re-reads the file without locking to refresh the YAML validity shown in the status. */
    async refreshYamlState(): Promise<YamlState> {
      observeYaml(await store.read());
      return { ...yamlState };
    },
    /** True when the file on disk is exactly what the last run read or wrote (own writes, no-op saves). */
    isKnownChecksum(checksum: string | null): boolean {
      return checksum !== null && checksum === yamlState.checksum;
    },
    refreshConflictCount,
  };
}

/**
 * The file system refused (disk full, read-only, folder gone): an outside condition, not a bug,
 * so 503 with a code that names it. The transaction rolled back; nothing changed.
 */
function storageError(error: YamlStoreError): AppError {
  const errno = (error.cause as NodeJS.ErrnoException | undefined)?.code;
  if (errno === "ENOSPC" || errno === "EDQUOT") {
    return new AppError(503, "yaml_disk_full", `No space left to write the schedule file; nothing was changed. (${error.message})`);
  }
  if (errno === "EROFS" || errno === "EACCES" || errno === "EPERM") {
    return new AppError(503, "yaml_read_only", `The schedule file's folder is read-only; nothing was changed. (${error.message})`);
  }
  return new AppError(503, "yaml_io_error", `The schedule file could not be read or written; nothing was changed. (${error.message})`);
}

function pick(map: ReadonlyMap<string, Task>, ids: readonly string[]): Map<string, Task> {
  const out = new Map<string, Task>();
  for (const id of ids) {
    const task = map.get(id);
    if (task) out.set(id, task);
  }
  return out;
}

/** Ids added, removed or changed between two versions of the file's tasks (unchanged tasks are usually the same objects). */
function changedIds(before: ReadonlyMap<string, Task>, after: ReadonlyMap<string, Task>): string[] {
  if (before === after) return [];
  const ids: string[] = [];
  for (const [id, task] of after) {
    const old = before.get(id);
    if (old !== task && (old === undefined || !tasksEqual(old, task))) ids.push(id);
  }
  for (const id of before.keys()) if (!after.has(id)) ids.push(id);
  return ids;
}

function sameTask(a: Task | null, b: Task | null): boolean {
  return a === null || b === null ? a === b : tasksEqual(a, b);
}
