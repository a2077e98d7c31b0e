import type { Database } from "../../db/create-database";
import { closeConflicts, countOpenConflicts, getConflict, listConflicts, loadOpenConflicts, loadTaskAndConflict, upsertOpenConflicts } from "./sql-conflicts";
import type { Tx } from "./sql-json";
import { findRevisionByChecksum, getRevision, insertRevision, latestRevision, listRevisions, loadRevisionDigests, loadRevisionTasks } from "./sql-revisions";
import { getChange, getRun, insertRun, listRuns, ranRecently, taskHistory } from "./sql-runs";
import { countSettled, deleteBase, deleteTasks, loadBase, loadGeneration, loadSyncState, loadTasks, renameTasks, setBase, upsertTasks } from "./sql-task-state";
import { StorageBusyError, type SyncReads, type SyncStorage, type SyncTransaction } from "./sync-storage";

/**
 * The SQL adapter of SyncStorage, for PostgreSQL and PGlite (one dialect). Set-based SQL: one
 * statement per kind of write whatever the number of tasks, because per-row ORM calls cost
 * ~1 ms each and a first import can hold 50,000 tasks. On PostgreSQL a run's transaction takes
 * a transaction-scoped advisory lock, so runs are serialized across instances sharing the
 * database; PGlite belongs to one process, whose engine serializes its runs itself. The
 * statements live by table group: sql-task-state.ts, sql-conflicts.ts, sql-runs.ts.
 */
export function createSqlSyncStorage(db: Database): SyncStorage {
  // PGlite is one connection in this process: its transactions queue, so "held by anyone else"
  // is one of ours already running.
  let active = 0;
  return {
    kind: db.kind,
    async transaction(work, options = {}) {
      const wait = options.wait ?? true;
      if (db.kind === "pglite" && !wait && active > 0) throw new StorageBusyError("another run holds the database");
      active++;
      try {
        return await db.prisma.$transaction(async (tx) => {
          if (db.kind === "postgresql" && !wait) {
            const [row] = await tx.$queryRawUnsafe<{ locked: boolean }[]>(SYNC_TRY_LOCK_SQL);
            if (!row?.locked) throw new StorageBusyError("another instance is syncing");
          } else if (db.kind === "postgresql") {
            await tx.$executeRawUnsafe(SYNC_LOCK_SQL);
          }
          return work(transactionOf(tx));
        }, TX_OPTIONS);
      } finally {
        active--;
      }
    },
    recordRun: (run) => insertRun(db.prisma, run),
    reads: readsOf(db.prisma),
  };
}

const SYNC_LOCK_KEY = 7262301577;
const SYNC_LOCK_SQL = `SELECT pg_advisory_xact_lock(${SYNC_LOCK_KEY})`;
const SYNC_TRY_LOCK_SQL = `SELECT pg_try_advisory_xact_lock(${SYNC_LOCK_KEY}) AS locked`;
const TX_OPTIONS = { maxWait: 60_000, timeout: 10 * 60_000 };

function readsOf(tx: Tx): SyncReads {
  return {
    loadState: (ids) => loadSyncState(tx, ids),
    loadGeneration: () => loadGeneration(tx),
    loadTasks: (ids) => loadTasks(tx, ids),
    loadBase: (ids) => loadBase(tx, ids),
    loadOpenConflicts: (ids) => loadOpenConflicts(tx, ids),
    loadTaskAndConflict: (id) => loadTaskAndConflict(tx, id),
    getConflict: (id) => getConflict(tx, id),
    listConflicts: (status, limit) => listConflicts(tx, status, limit),
    countOpenConflicts: () => countOpenConflicts(tx),
    listRuns: (options) => listRuns(tx, options),
    getRun: (id) => getRun(tx, id),
    taskHistory: (taskId, limit) => taskHistory(tx, taskId, limit),
    getChange: (changeId) => getChange(tx, changeId),
    latestRevision: () => latestRevision(tx),
    listRevisions: (options) => listRevisions(tx, options),
    getRevision: (id) => getRevision(tx, id),
    findRevisionByChecksum: (checksum) => findRevisionByChecksum(tx, checksum),
    loadRevisionDigests: () => loadRevisionDigests(tx),
    loadRevisionTasks: (revisionId, ids) => loadRevisionTasks(tx, revisionId, ids),
  };
}

function transactionOf(tx: Tx): SyncTransaction {
  return {
    ...readsOf(tx),
    countSettled: (ids) => countSettled(tx, ids),
    ranRecently: (trigger, withinMs) => ranRecently(tx, trigger, withinMs),
    upsertTasks: (tasks, source) => upsertTasks(tx, tasks, source),
    deleteTasks: (ids) => deleteTasks(tx, ids),
    renameTasks: (renames, source) => renameTasks(tx, renames, source),
    setBase: (tasks) => setBase(tx, tasks),
    deleteBase: (ids) => deleteBase(tx, ids),
    upsertOpenConflicts: (conflicts, runId) => upsertOpenConflicts(tx, conflicts, runId),
    closeConflicts: (taskIds, resolution, runId) => closeConflicts(tx, taskIds, resolution, runId),
    insertRun: (run, changes) => insertRun(tx, run, changes),
    insertRevision: (revision, limits) => insertRevision(tx, revision, limits),
  };
}
