import type { Actor, ActorKind } from "../../people/actor";
import type { StoredTask } from "../../tasks/stored-task";
import type { Task } from "../../tasks/task-schema";
import type { ChangeRecord, ConflictKind, ConflictWrite as PlannedConflict } from "../reconcile/plan";
import type { RevisionReads, RevisionWrites } from "./revisions";

export type { ChangeRecord } from "../reconcile/plan";
export * from "./revisions";

/**
 * The file revision a conflict's YAML side started from, when the run that opened it found the
 * file saved from an older version than the latest (issue #17): its base column is the task as
 * that revision held it. `behind`: how many writes older than the latest it was then.
 */
export interface ConflictBaseRevision {
  id: string;
  behind: number;
}

/** A conflict as a run records it; `baseRevision` unset or null: the base is the latest agreed version. */
export interface ConflictWrite extends PlannedConflict {
  baseRevision?: ConflictBaseRevision | null;
}

/**
 * The port through which the sync engine reads and writes everything it owns in the database:
 * the DB side of every task, the base (the last version both sides agreed on), conflicts, the
 * run history with its per-task changes, the change generation, and the lock that serializes
 * runs across processes. Two adapters implement it: SQL (PostgreSQL and PGlite,
 * sql-sync-storage.ts) and memory (memory-sync-storage.ts, for fast deterministic engine tests).
 * Both pass one contract suite (tests/sync/storage/).
 */
export interface SyncStorage {
  readonly kind: StorageKind;
  /**
   * Runs `work` in one transaction that holds the cross-process sync lock: everything it wrote
   * commits together when it returns, and nothing when it throws. With `wait: false` a lock held
   * by anyone else fails at once with `StorageBusyError` instead of waiting.
   */
  transaction<T>(work: (tx: SyncTransaction) => Promise<T>, options?: { wait?: boolean }): Promise<T>;
  /** Records a run outside any transaction (a failed run, whose transaction rolled back). */
  recordRun(run: RunWrite): Promise<void>;
  /** The history and conflict reads that pages and routes show, outside a run. */
  readonly reads: SyncReads;
}

export type StorageKind = "pglite" | "postgresql" | "memory";

/** A run that may not wait found the sync lock held by another process. */
export class StorageBusyError extends Error {
  override name = "StorageBusyError";
}

export interface SyncReads extends RevisionReads {
  /** The DB side, the base and the open conflicts of `ids` (every task when unset), with the generation. */
  loadState(ids?: readonly string[]): Promise<SyncState>;
  /**
   * The change generation: moves on with every write to the tasks, the base or the conflicts,
   * by any writer (another instance, the CLI, SQL typed by hand). Equal values mean an equal
   * sync state.
   */
  loadGeneration(): Promise<string>;
  loadTasks(ids?: readonly string[]): Promise<Map<string, StoredTask>>;
  loadBase(ids?: readonly string[]): Promise<Map<string, Task>>;
  loadOpenConflicts(ids?: readonly string[]): Promise<Map<string, ConflictRecord>>;
  /** One task's row and its open conflict. */
  loadTaskAndConflict(id: string): Promise<{ task: StoredTask | null; conflict: ConflictRecord | null }>;
  getConflict(id: string): Promise<ConflictRecord | null>;
  /** Newest first. */
  listConflicts(status: "open" | "resolved" | "all", limit?: number): Promise<ConflictRecord[]>;
  countOpenConflicts(): Promise<number>;
  /**
   * Newest first; `before` pages back, `changedOnly` keeps runs that changed, failed or found
   * conflicts, `actor` keeps the runs of one actor (a kind, a name, or both).
   */
  listRuns(options: ListRunsOptions): Promise<RunRecord[]>;
  getRun(id: string): Promise<RunDetail | null>;
  /**
   * Newest first. Follows renames back: a task renamed from X lists X's changes up to the rename
   * (and X's own renames before that, and so on); a task renamed away lists that rename too
   * (an entry whose `before.id` is this id).
   */
  taskHistory(taskId: string, limit?: number): Promise<TaskChange[]>;
  getChange(changeId: string): Promise<TaskChange | null>;
}

/** What a run may do inside its transaction. */
export interface SyncTransaction extends SyncReads, RevisionWrites {
  /** Tasks outside `ids` without an open conflict, and open conflicts outside `ids`. */
  countSettled(ids: readonly string[]): Promise<{ inSync: number; conflicts: number }>;
  /** Whether a successful run of `trigger` finished within the last `withinMs` (on any instance). */
  ranRecently(trigger: string, withinMs: number): Promise<boolean>;
  /** Writes tasks to the DB side; a task's version goes up only when a field really changed. */
  upsertTasks(tasks: readonly Task[], source: string): Promise<void>;
  deleteTasks(ids: readonly string[]): Promise<void>;
  /**
   * Gives each row `from` the id and fields of `task` (a rename in the file): the row keeps its
   * created time, its version goes up by one, and its history stays reachable from the new id
   * (`taskHistory` follows renames). The new id must be free.
   */
  renameTasks(renames: readonly TaskRename[], source: string): Promise<void>;
  setBase(tasks: readonly Task[]): Promise<void>;
  deleteBase(ids: readonly string[]): Promise<void>;
  /** Opens conflicts, or refreshes the open one of the same task; returns the rows that are new or changed. */
  upsertOpenConflicts(conflicts: readonly ConflictWrite[], runId: string | null): Promise<ConflictRecord[]>;
  /** Closes the open conflicts of these tasks (by run `runId`, whose actor resolved them); returns the closed rows. */
  closeConflicts(taskIds: readonly string[], resolution: string, runId?: string | null): Promise<ConflictRecord[]>;
  /** Records a run and its per-task changes; its finish time is the time of this call. */
  insertRun(run: RunWrite, changes?: readonly ChangeRecord[]): Promise<void>;
}

export interface TaskRename {
  from: string;
  task: Task;
}

export interface SyncState {
  db: Map<string, Task>;
  /** The DB row's version of each task in `db` (for optimistic concurrency). */
  versions: Map<string, number>;
  base: Map<string, Task>;
  /** The tasks with an open conflict, and its kind. */
  open: Map<string, ConflictKind>;
  /** The change generation when this was read. */
  generation: string;
}

export interface ConflictRecord {
  id: string;
  taskId: string;
  kind: ConflictKind;
  status: "open" | "resolved";
  base: Task | null;
  yaml: Task | null;
  db: Task | null;
  fields: string[];
  resolution: string | null;
  detectedAt: string;
  updatedAt: string;
  resolvedAt: string | null;
  runId: string | null;
  /** The run that closed it (issue #18); null when open or closed before runs were noted. */
  resolvedRunId?: string | null;
  /** That run's actor: who resolved it. */
  resolvedBy?: Actor | null;
  /** The older revision the file's side started from (null: the base is the latest agreed version). */
  baseRevision: ConflictBaseRevision | null;
}

export interface ListRunsOptions {
  limit: number;
  before?: string;
  changedOnly?: boolean;
  actor?: { kind: ActorKind | null; name: string | null };
}

export interface TaskChange extends ChangeRecord {
  id: string;
  runId: string;
  trigger: string;
  /** The run's actor (null: recorded before actors were, see actorOfTrigger). */
  actor: Actor | null;
  createdAt: string;
}

export interface RunRecord {
  id: string;
  trigger: string;
  direction: string;
  status: "running" | "success" | "error";
  dryRun: boolean;
  counts: Record<string, unknown>;
  conflicts: number;
  error: string | null;
  yamlChecksum: string | null;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  /** Who or what made the run (issue #18). */
  actor: Actor | null;
}

export interface RunDetail extends RunRecord {
  changes: (ChangeRecord & { id: string; createdAt: string })[];
}

export interface RunWrite {
  id: string;
  trigger: string;
  direction: string;
  status: "success" | "error";
  counts: Record<string, unknown>;
  conflicts: number;
  error: string | null;
  yamlChecksum: string | null;
  startedAt: Date;
  durationMs: number;
  /** Who or what made the run; unset: what its trigger implies (actorOfTrigger). */
  actor?: Actor | null;
}
