import type { Database, DbKind } from "../db/create-database";
import { changeActorLabel } from "../people/actor";
import { listTasks, type ListTasksQuery } from "../tasks/task-reads";
import { tasksEqual, type Task } from "../tasks/task-schema";
import { taskSourceText, taskToYamlText, type ScheduleStore } from "../yaml";
import { heldDeletionOf, type HeldDeletion } from "./engine/held-deletions";
import type { LineageNote } from "./engine/file-lineage";
import { notFound } from "./engine/sync-errors";
import type { SyncEngine } from "./engine/sync-engine";
import { conflictRename } from "./conflict-rename";
import { proposeMerge } from "./reconcile/resolve-conflict";
import type { ConflictRecord, ListRunsOptions, RunRecord, SyncStorage, TaskChange } from "./storage/sync-storage";

/**
 * The read side of the sync for the API and the pages: status, history, conflicts. From the
 * storage, not this process's memory where it matters: another instance or the CLI may have
 * run the latest sync against the same PostgreSQL.
 */
import type { GitSyncStatus } from "../git/git-sync";

export interface SyncReadDeps {
  storage: SyncStorage;
  store: ScheduleStore;
  sync: SyncEngine;
}

/** What the status shows about how this server syncs. */
export interface SyncSettings {
  db: { kind: DbKind };
  config: { autoMerge: boolean; syncWatch: boolean; syncCron: string | null };
  nextCronRun(): Date | null;
  /** Git mode's service, when GIT_SYNC=on. */
  git?: { status(): Promise<GitSyncStatus> } | null;
}

export async function syncStatus(deps: SyncReadDeps & SyncSettings) {
  const status = deps.sync.status();
  const head = status.yaml.issues[0] ?? null;
  // While the database is away the status still answers, from what this process knows.
  const [open, runs, drift, git, lineage] = await Promise.all([
    deps.storage.reads.listConflicts("open", 100_000).catch(() => null),
    deps.storage.reads.listRuns({ limit: 1 }).catch(() => null),
    deps.sync.drift().catch(() => null),
    deps.git ? deps.git.status().catch(() => null) : null,
    recentLineage(deps.storage).catch(() => null),
  ]);
  const held = (open ?? []).map(heldDeletionOf).filter((h): h is HeldDeletion => h !== null);
  const { loop } = status;
  return {
    state: status.state,
    lastRun: runs?.[0] ?? null,
    lastError: status.lastError,
    /** False when the database did not answer: the counts are this process's last view. */
    dbReachable: open !== null && runs !== null,
    openConflicts: open?.length ?? status.openConflicts,
    /** Tasks whose file and DB sides differ outside open conflicts (null: could not be told). */
    pending: drift ? drift.differing.size : null,
    /** Set while the loop waits to try again after a failure that may heal. */
    retry: loop.retryAt !== null ? { at: new Date(loop.retryAt).toISOString(), attempt: loop.attempt, error: loop.lastError } : null,
    /** The latest run of the last day that found the file saved from an older version (issue #17). */
    lineage,
    /** Mass deletions held for a person, by the side that deleted. */
    held: { yaml: held.filter((h) => h.deletedIn === "yaml").length, db: held.filter((h) => h.deletedIn === "db").length },
    yaml: {
      path: status.yaml.path,
      checksum: status.yaml.checksum,
      valid: status.yaml.valid !== false,
      missing: status.yaml.missing,
      error: head,
      issues: status.yaml.issues,
    },
    db: deps.db.kind,
    autoMerge: deps.config.autoMerge,
    watch: deps.config.syncWatch,
    cron: deps.config.syncCron,
    nextCronRun: deps.nextCronRun()?.toISOString() ?? null,
    /** Git mode (null when off): branch, HEAD, ahead/behind, the last fetch, push and merge and their errors. */
    git: git
      ? {
          branch: git.branch,
          pushBranch: git.pushBranch,
          head: git.head,
          ahead: git.ahead,
          behind: git.behind,
          lastFetch: git.lastFetch,
          lastPush: git.lastPush,
          lastMerge: git.lastMerge,
          retryAt: git.retryAt,
          error: git.lastMerge?.error ?? git.lastPush?.error ?? git.lastFetch?.error ?? null,
        }
      : null,
  };
}

/** How long the dashboard shows that a file was saved from an older version. */
const LINEAGE_NOTICE_MS = 24 * 3600 * 1000;

/** The latest run of the last day whose file derived from an older revision, with what it kept. */
async function recentLineage(storage: SyncStorage): Promise<({ runId: string; startedAt: string } & LineageNote) | null> {
  const since = Date.now() - LINEAGE_NOTICE_MS;
  const runs = await storage.reads.listRuns({ limit: 50, changedOnly: true });
  for (const run of runs) {
    if (Date.parse(run.startedAt) < since) break;
    const note = run.counts.lineage as LineageNote | undefined;
    if (note?.ancestorId) return { runId: run.id, startedAt: run.startedAt, ...note };
  }
  return null;
}

export async function conflictDetail(deps: SyncReadDeps, id: string) {
  const conflict = await deps.storage.reads.getConflict(id);
  if (!conflict) throw notFound("Conflict", id);
  let yamlSource: string | null = null;
  const read = await deps.store.read();
  if (read.status === "ok") yamlSource = taskSourceText(read.doc, read.text, conflict.taskId);
  const history = await deps.storage.reads.taskHistory(conflict.taskId, 200);
  return {
    ...conflict,
    baseRevision: await baseRevisionOf(deps, conflict),
    sides: conflictSides(history, conflict),
    rename: conflictRename(conflict, history, read.status === "ok" ? read.tasks : null),
    text: {
      base: taskToYamlText(conflict.base),
      yaml: taskToYamlText(conflict.yaml),
      db: taskToYamlText(conflict.db),
      /** The task exactly as it stands in the file now, comments included. */
      yamlSource,
    },
    proposal: conflict.yaml && conflict.db ? proposeMerge(conflict.base, conflict.yaml, conflict.db) : null,
  };
}

/**
 * The older file revision the conflict's YAML side started from (issue #17), with when and by
 * whom it was made while it is still stored (`createdAt` and `source` null once pruned); null
 * when the base is the latest agreed version.
 */
async function baseRevisionOf(deps: Pick<SyncReadDeps, "storage">, conflict: ConflictRecord) {
  if (!conflict.baseRevision) return null;
  const revision = await deps.storage.reads.getRevision(conflict.baseRevision.id);
  return { ...conflict.baseRevision, createdAt: revision?.createdAt ?? null, source: revision?.source ?? null };
}

/** Who made a side's version of a conflicting task, and when: "YAML side: hand edit; DB side: bob, 10:05". */
export interface SideAuthor {
  by: string;
  at: string | null;
}

/**
 * Each side's author, from the task's history: the newest recorded write of that side that left
 * it as the conflict shows it. A YAML version the server never wrote is a hand edit of the file.
 */
function conflictSides(history: readonly TaskChange[], conflict: ConflictRecord): { yaml: SideAuthor; db: SideAuthor } {
  const same = (a: Task | null, b: Task | null) => (a === null || b === null ? a === b : tasksEqual(a, b));
  const author = (side: "yaml" | "db", value: Task | null): SideAuthor | null => {
    const change = history.find((c) => c.side === side && same(c.after, value));
    return change ? { by: changeActorLabel(change), at: change.createdAt } : null;
  };
  return {
    yaml: author("yaml", conflict.yaml) ?? { by: "hand edit of the file", at: null },
    db: author("db", conflict.db) ?? { by: "unknown (not recorded)", at: null },
  };
}

export async function runDetail(deps: Pick<SyncReadDeps, "storage">, id: string) {
  const run = await deps.storage.reads.getRun(id);
  if (!run) throw notFound("Sync run", id);
  return run;
}

export function listRuns(deps: Pick<SyncReadDeps, "storage">, options: ListRunsOptions): Promise<RunRecord[]> {
  return deps.storage.reads.listRuns(options);
}

export function listConflicts(deps: Pick<SyncReadDeps, "storage">, status: "open" | "resolved" | "all", limit?: number): Promise<ConflictRecord[]> {
  return deps.storage.reads.listConflicts(status, limit);
}

export function taskHistory(deps: Pick<SyncReadDeps, "storage">, taskId: string): Promise<TaskChange[]> {
  return deps.storage.reads.taskHistory(taskId);
}

/** The mass deletions held for a person, by the side that deleted them. */
export async function heldDeletions(deps: Pick<SyncReadDeps, "storage">): Promise<{ yaml: HeldDeletion[]; db: HeldDeletion[] }> {
  const open = await deps.storage.reads.listConflicts("open", 100_000);
  const held = open.map(heldDeletionOf).filter((h): h is HeldDeletion => h !== null).sort((a, b) => a.taskId.localeCompare(b.taskId));
  return { yaml: held.filter((h) => h.deletedIn === "yaml"), db: held.filter((h) => h.deletedIn === "db") };
}

/** How one task's two sides stand. */
export type TaskSyncState =
  | { state: "in_sync" }
  /** A sync would write it: `write_db` the file changed, `write_yaml` the DB did, `merge` both (disjoint fields). */
  | { state: "differs"; action: "write_db" | "write_yaml" | "merge" }
  | { state: "conflict"; conflictId: string }
  | { state: "held"; deletedIn: "yaml" | "db"; conflictId: string };

export interface SyncStates {
  of(task: { id: string; conflict: { id: string; kind: string } | null }): TaskSyncState;
  /** Tasks that differ, and of those, how many exist only in the file (not yet in the DB). */
  differing: ReadonlyMap<string, "write_db" | "write_yaml" | "merge">;
}

/** The per-task sync state the task list shows (Argo CD's Synced / OutOfSync column), from the engine's drift check. */
export async function syncStates(deps: Pick<SyncReadDeps, "sync">): Promise<SyncStates> {
  const drift = await deps.sync.drift().catch(() => null);
  const differing = drift?.differing ?? new Map();
  return {
    differing,
    of(task) {
      // A listed task has its DB row, so a held deletion of it is one the file made.
      if (task.conflict?.kind === "held_deletion") return { state: "held", deletedIn: "yaml", conflictId: task.conflict.id };
      if (task.conflict) return { state: "conflict", conflictId: task.conflict.id };
      const action = differing.get(task.id);
      return action ? { state: "differs", action } : { state: "in_sync" };
    },
  };
}

/** One page of the task list with each task's sync state, filtered by it when asked (`?state=`). */
export async function listTasksWithSyncState(deps: Pick<SyncReadDeps, "sync"> & { db: Database }, query: ListTasksQuery) {
  const states = await syncStates(deps);
  const differing = [...states.differing.keys()];
  const ids = query.state === "differs" ? { only: differing } : query.state === "in_sync" ? { except: differing } : {};
  const page = await listTasks(deps.db, query, ids);
  return { ...page, items: page.items.map((task) => ({ ...task, sync: states.of(task) })) };
}
