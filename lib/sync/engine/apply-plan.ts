import { randomUUID } from "node:crypto";
import type { ScheduleConfigUpdated } from "../../events/events";
import type { Actor } from "../../people/actor";
import type { Task } from "../../tasks/task-schema";
import type { ReadResult, ScheduleStore, WriteResult } from "../../yaml";
import { change, planWrites, type PlanWrites } from "../reconcile/plan-writes";
import type { DeleteGuard, Direction, TaskMap } from "../reconcile/plan";
import { reconcileWithLineage } from "../reconcile/lineage";
import type { RevisionLimits } from "../storage/sync-storage";
import { lineageNote, recordRevisions, traceLineage, type LineageNote } from "./file-lineage";
import { withBaseRevisions } from "./conflict-base-revision";
import { summarizePlan, type PlanSummary } from "../reconcile/summarize-plan";
import type { ChangeRecord, ConflictRecord, SyncState } from "../storage/sync-storage";
import type { RunContext } from "./locked-run";
import type { Settled } from "./settled-scope";
import type { RunOutcome } from "./sync-status";
import { yamlInvalidError } from "./sync-errors";

/** Who started a run; "converge" is the loop following up on a run that left something to do. */
export type Trigger = "startup" | "watch" | "cron" | "manual" | "api" | "resolve" | "revert" | "restore" | "cli" | "converge" | "git";

/** An API write applied to the DB before planning, so the plan sees the DB as the API left it. */
export interface DbEdit {
  id: string;
  before: Task | null;
  after: Task | null;
  /** The DB row's `source`. */
  source: string;
}

export interface ApplyOptions {
  /** The task ids to reconcile; null: every task. */
  scope: string[] | null;
  trigger: Trigger;
  /** Who made the run (issue #18); unset: what the trigger implies. */
  actor?: Actor;
  direction: Direction;
  force: boolean;
  startedAt: number;
  edit?: DbEdit;
  /** More API-like DB writes applied before planning (a restore writes many). */
  edits?: DbEdit[];
  /** Resolution recorded on conflicts this run closes; derived from the run when unset. */
  closeAs?: string;
  /** The state of `scope` when the caller read it already in this transaction. */
  state?: SyncState;
  /** Return what the run leaves as `settled` (the caller knows the tasks outside `scope` were settled). */
  settle?: boolean;
  /** The settled tasks outside `scope`, counted into the run as a full run would count them. */
  outside?: { inSync: number; conflicts: number };
  /** The head revision's checksum when this process knows it (file-lineage.ts). */
  headChecksum?: string | null;
}

export interface Applied extends RunOutcome {
  writes: PlanWrites;
  summary: PlanSummary;
  /** What the run left, when asked to `settle`: becomes the settled state once the transaction committed. */
  settled: Settled | null;
  /** Set when the file derived from an older revision than the latest (also in the run's counts). */
  lineage: LineageNote | null;
}

/** The file's tasks, refusing an invalid file (nothing may change while it is invalid). */
export function yamlTasksOf(yaml: ReadResult, path: string): ReadonlyMap<string, Task> {
  if (yaml.status === "invalid") throw yamlInvalidError(yaml.issues, path);
  return yaml.status === "ok" ? yaml.tasks : new Map();
}

/**
 * Reconciles `options.scope` inside the run's transaction and applies the plan: the DB writes,
 * the base, the conflicts, at most one write of the file, and the run's record with its
 * per-task changes. Nothing is published here: the caller does that once the transaction
 * committed.
 */
/** What applyPlan needs from the engine. */
export interface ApplyEnv {
  path: string;
  autoMerge: boolean;
  deleteGuard: DeleteGuard | null;
  /** How many file revisions are kept (SYNC_REVISIONS, 30 days). */
  revisions: RevisionLimits;
  onWrite(checksum: string): void;
  /** The file store's pinned backups (ScheduleStore.pinBackup / releasePinnedBackups). */
  backups: Pick<ScheduleStore, "pinBackup" | "releasePinnedBackups">;
}

export async function applyPlan(ctx: RunContext, options: ApplyOptions, env: ApplyEnv): Promise<Applied> {
  const { tx } = ctx;
  const missing = ctx.yaml.status === "missing";
  // A missing file is re-created from the whole DB: patching one task into a new file
  // would make every other task look deleted on the YAML side.
  const scope = missing ? null : options.scope;
  const yamlAll = yamlTasksOf(ctx.yaml, env.path);
  const { db: dbMap, base, open } = options.state && !missing ? options.state : await tx.loadState(scope ?? undefined);
  const extraChanges: ChangeRecord[] = [];
  for (const edit of [...(options.edit ? [options.edit] : []), ...(options.edits ?? [])]) {
    const { id, before, after, source } = edit;
    if (after) {
      await tx.upsertTasks([after], source);
      dbMap.set(id, after);
    } else {
      await tx.deleteTasks([id]);
      dbMap.delete(id);
    }
    extraChanges.push(change(id, "db", before, after));
  }
  const yamlMap: TaskMap = missing ? dbMap : scope ? pick(yamlAll, scope) : yamlAll;
  // A scoped run's DB side did not change outside the scope (the generation says so): the file's
  // size stands for both sides' there.
  const deleteGuard = env.deleteGuard ? { ...env.deleteGuard, yamlTasks: yamlAll.size, dbTasks: scope ? yamlAll.size : dbMap.size } : undefined;
  // Which revision the file derives from: tasks it holds as that revision had them are not edits.
  const lineage = await traceLineage(tx, ctx.yaml, {
    scope,
    headChecksum: options.headChecksum,
    lineage: options.direction === "bidirectional" && !options.force,
  });
  const plan = reconcileWithLineage(
    { base, yaml: yamlMap, db: dbMap, openConflicts: open, ancestor: lineage.ancestorTasks, latest: lineage.latestTasks },
    { direction: options.direction, force: options.force, autoMerge: env.autoMerge, deleteGuard },
  );
  const note = lineageNote(lineage, plan.keptNewer);
  const writes = planWrites(plan, base, open);
  if (missing) writes.yamlUpserts = [...dbMap.values()];

  const runId = randomUUID();
  // Renames first: a row must have left its old id before anything could take that id.
  await tx.renameTasks(writes.dbRenames, "yaml");
  for (const [source, tasks] of groupBySource(writes)) await tx.upsertTasks(tasks, source);
  await tx.deleteTasks(writes.dbDeletes);
  await tx.setBase(writes.baseSet);
  await tx.deleteBase(writes.baseDelete);
  const opened = await tx.upsertOpenConflicts(await withBaseRevisions(tx, writes.conflicts, { lineage, base, open }), runId);
  const closed = await tx.closeConflicts(
    writes.closeConflicts,
    options.closeAs ?? (options.force && options.direction !== "bidirectional" ? `forced_${options.direction}` : "converged"),
    runId,
  );
  await keepMassDeletionBackup(ctx, opened, closed, env.backups);

  let checksum = ctx.yaml.status === "missing" ? null : ctx.yaml.checksum;
  let written: WriteResult | null = null;
  // The file's tasks once this run is done, looked at only when it settles.
  let tasksAfter = (): ReadonlyMap<string, Task> | null => (ctx.yaml.status === "ok" ? ctx.yaml.tasks : null);
  if (missing || writes.yamlUpserts.length > 0 || writes.yamlDeletes.length > 0) {
    const result = await ctx.file.write(
      // No `metadata:` block any more (lineage lives in the revisions); an old one goes with this write.
      { upsert: writes.yamlUpserts, delete: writes.yamlDeletes, dropMetadata: true },
      { expectedChecksum: checksum },
    );
    checksum = result.checksum;
    written = result;
    tasksAfter = () => result.tasks;
    env.onWrite(checksum);
  }

  const changes = [...extraChanges, ...writes.changes];
  const summary = summarizePlan(plan);
  // The API's own DB write happened before planning; the run's counts include it.
  for (const edit of extraChanges) if (edit.action !== "rename") summary.toDb[edit.action]++;
  if (options.outside) {
    summary.inSync += options.outside.inSync;
    summary.conflicts += options.outside.conflicts;
    summary.total += options.outside.inSync + options.outside.conflicts;
  }
  const head = await recordRevisions(tx, {
    lineage,
    yaml: ctx.yaml,
    written,
    writes,
    runId,
    source: writes.merged > 0 ? "merge" : options.trigger === "restore" ? "restore" : "db",
    limits: env.revisions,
  });
  await tx.insertRun(
    {
      id: runId,
      trigger: options.trigger,
      direction: options.direction,
      status: "success",
      counts: note ? { ...summary, lineage: note } : { ...summary },
      conflicts: summary.conflicts,
      error: null,
      yamlChecksum: checksum,
      startedAt: new Date(options.startedAt),
      durationMs: Date.now() - options.startedAt,
      actor: options.actor,
    },
    changes,
  );
  ctx.noteRun(runId);
  let settled: Settled | null = null;
  const yamlAfter = options.settle && checksum !== null ? tasksAfter() : null;
  if (yamlAfter) settled = { checksum: checksum!, yaml: yamlAfter, generation: await tx.loadGeneration(), head };
  return { runId, writes, summary, opened, closed, checksum, changedTaskIds: [...new Set([...changes.map((c) => c.taskId), ...writes.dbRenames.map((r) => r.from)])], settled, lineage: note, actor: options.actor ?? null };
}

/**
 * A mass deletion the DB made and the file has not (held: the file still has the tasks) keeps
 * the file as this run read it as a backup that never rotates out, so a person deciding days
 * later still has a copy however many writes came between. Once the last held deletion is
 * decided (applied, restored, or resolved as a conflict), the pinned copies rotate as usual.
 * (Deletions the file made are held with the DB's copy of each task in its conflict, and the
 * file's earlier versions in the revisions.) The files are touched inside the run's transaction:
 * a rollback after a pin leaves an extra copy, after a release only ordinary backups.
 */
async function keepMassDeletionBackup(ctx: RunContext, opened: readonly ConflictRecord[], closed: readonly ConflictRecord[], backups: ApplyEnv["backups"]): Promise<void> {
  if (ctx.yaml.status === "ok" && opened.some((c) => c.kind === "held_deletion" && c.yaml !== null)) await backups.pinBackup(ctx.yaml.text);
  if (!closed.some((c) => c.kind === "held_deletion")) return;
  const open = await ctx.tx.loadOpenConflicts();
  if (![...open.values()].some((c) => c.kind === "held_deletion")) await backups.releasePinnedBackups();
}

/** Which way a committed run's changes went, for the live event. */
export function sourceOf(writes: PlanWrites): ScheduleConfigUpdated["source"] {
  const toDb = writes.dbUpserts.length + writes.dbDeletes.length + writes.dbRenames.length > 0;
  const toYaml = writes.yamlUpserts.length + writes.yamlDeletes.length > 0;
  if (writes.merged > 0 || (toDb && toYaml)) return "merge";
  return toDb ? "yaml" : "db";
}

/** One upsert per DB `source` label ("yaml" for YAML-side changes, "merge" for merges). */
function groupBySource(writes: PlanWrites): Map<string, Task[]> {
  const bySource = new Map<string, Task[]>();
  for (const task of writes.dbUpserts) {
    const source = writes.dbSources.get(task.id) ?? "yaml";
    const group = bySource.get(source);
    if (group) group.push(task);
    else bySource.set(source, [task]);
  }
  return bySource;
}

function pick(map: ReadonlyMap<string, Task>, ids: readonly string[]): Map<string, Task> {
  const out = new Map<string, Task>();
  for (const id of ids) {
    const task = map.get(id);
    if (task) out.set(id, task);
  }
  return out;
}
