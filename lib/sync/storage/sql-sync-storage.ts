import type { Database } from "../../db/create-database";
import type { Prisma } from "../../generated/prisma/client";
import type { StoredTask } from "../../tasks/stored-task";
import type { Task } from "../../tasks/task-schema";
import {
  StorageBusyError,
  type ChangeRecord,
  type ConflictRecord,
  type ConflictWrite,
  type RunDetail,
  type RunRecord,
  type RunWrite,
  type SyncReads,
  type SyncState,
  type SyncStorage,
  type SyncTransaction,
  type TaskChange,
} from "./sync-storage";

/**
 * The SQL adapter of SyncStorage, for PostgreSQL and PGlite (one dialect). Set-based SQL: one
 * statement per kind of write whatever the number of tasks, because per-row ORM calls cost
 * ~1 ms each and a first import can hold 50,000 tasks. On PostgreSQL a run's transaction takes
 * a transaction-scoped advisory lock, so runs are serialized across instances sharing the
 * database; PGlite belongs to one process, whose engine serializes its runs itself.
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

type Tx = Prisma.TransactionClient;

const SYNC_LOCK_KEY = 7262301577;
const SYNC_LOCK_SQL = `SELECT pg_advisory_xact_lock(${SYNC_LOCK_KEY})`;
const SYNC_TRY_LOCK_SQL = `SELECT pg_try_advisory_xact_lock(${SYNC_LOCK_KEY}) AS locked`;
const TX_OPTIONS = { maxWait: 60_000, timeout: 10 * 60_000 };

function readsOf(tx: Tx): SyncReads {
  return {
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
  };
}

function transactionOf(tx: Tx): SyncTransaction {
  return {
    ...readsOf(tx),
    loadState: (ids) => loadSyncState(tx, ids),
    loadGeneration: () => loadGeneration(tx),
    countSettled: (ids) => countSettled(tx, ids),
    ranRecently: (trigger, withinMs) => ranRecently(tx, trigger, withinMs),
    upsertTasks: (tasks, source) => upsertTasks(tx, tasks, source),
    deleteTasks: (ids) => deleteTasks(tx, ids),
    setBase: (tasks) => setBase(tx, tasks),
    deleteBase: (ids) => deleteBase(tx, ids),
    upsertOpenConflicts: (conflicts, runId) => upsertOpenConflicts(tx, conflicts, runId),
    closeConflicts: (taskIds, resolution) => closeConflicts(tx, taskIds, resolution),
    insertRun: (run, changes) => insertRun(tx, run, changes),
  };
}

const TASK_COLUMNS = `id, name, schedule, timezone, command, enabled, description, coalesce(tags, '{}') AS tags`;
const TASK_RECORDSET = `jsonb_to_recordset($1::jsonb) AS t(id text, name text, schedule text, timezone text, command text, enabled boolean, description text, tags text[])`;

/** Aggregates rows to one JSON text: one value over the wire instead of one object per row. */
async function queryJson<T>(tx: Tx, sql: string, ...params: unknown[]): Promise<T[]> {
  return queryJsonWith<T>(tx, null, sql, ...params);
}

/** Like queryJson, with a leading WITH list (data-modifying CTEs must stay at the top level). */
async function queryJsonWith<T>(tx: Tx, ctes: string | null, sql: string, ...params: unknown[]): Promise<T[]> {
  const rows = await tx.$queryRawUnsafe<{ json: string }[]>(
    `${ctes ? `WITH ${ctes} ` : ""}SELECT coalesce(json_agg(r), '[]')::text AS json FROM (${sql}) r`,
    ...params,
  );
  return JSON.parse(rows[0].json) as T[];
}

function idFilter(ids: readonly string[] | undefined, column: string, param = 1): string {
  return ids ? `WHERE ${column} = ANY($${param}::text[])` : "";
}

async function loadTasks(tx: Tx, ids?: readonly string[]): Promise<Map<string, StoredTask>> {
  const rows = await queryJson<StoredTask>(
    tx,
    `SELECT ${TASK_COLUMNS}, version, source, created_at AS "createdAt", updated_at AS "updatedAt" FROM tasks ${idFilter(ids, "id")} ORDER BY id`,
    ...(ids ? [ids] : []),
  );
  return new Map(rows.map((row) => [row.id, row]));
}


const GENERATION_SQL = `SELECT value::text FROM sync_generation`;

/** A DB row as the JSON array `[id, name, schedule, timezone, command, enabled, description, tags]`. */
const TASK_ARRAY = `json_build_array(t.id, t.name, t.schedule, t.timezone, t.command, t.enabled, t.description, coalesce(t.tags, '{}'))`;
const TASK_JSONB = `jsonb_build_object('id', t.id, 'name', t.name, 'schedule', t.schedule, 'timezone', t.timezone, 'command', t.command,
  'enabled', t.enabled, 'description', t.description, 'tags', to_jsonb(coalesce(t.tags, '{}')))`;

/**
 * What a sync run reads, in one round trip: the DB side (in id order), the base and the ids with
 * an open conflict, of `ids` or of every task. Rows go over as JSON arrays (no keys, no
 * timestamps: 10,000 tasks as objects with their timestamps took ~4× as long), and a base
 * equal to its DB row (compared in SQL) comes back as a flag and becomes the same object, so a
 * run where nothing changed moves about half the data.
 */
async function loadSyncState(tx: Tx, ids?: readonly string[]): Promise<SyncState> {
  // Scoped: filter each side before the join, so both use their primary key (a WHERE on the
  // joined rows scans both tables).
  const taskRows = ids ? `(SELECT * FROM tasks WHERE id = ANY($1::text[]))` : "tasks";
  const baseRows = ids ? `(SELECT * FROM sync_base WHERE task_id = ANY($1::text[]))` : "sync_base";
  const rows = await tx.$queryRawUnsafe<{ state: string; open: string; generation: string }[]>(
    `SELECT
       (SELECT coalesce(json_agg(json_build_array(
          CASE WHEN t.id IS NULL THEN NULL ELSE ${TASK_ARRAY} END,
          t.version,
          b.task_id,
          CASE WHEN b.task_id IS NULL THEN NULL WHEN t.id IS NOT NULL AND b.data = ${TASK_JSONB} THEN '1'::jsonb ELSE b.data END
        ) ORDER BY coalesce(t.id, b.task_id)), '[]')::text
        FROM ${taskRows} t FULL JOIN ${baseRows} b ON b.task_id = t.id) AS state,
       (SELECT coalesce(json_agg(task_id), '[]')::text FROM conflicts WHERE status = 'open' ${ids ? "AND task_id = ANY($1::text[])" : ""}) AS open,
       (${GENERATION_SQL}) AS generation`,
    ...(ids ? [ids] : []),
  );
  const state = JSON.parse(rows[0]!.state) as [unknown[] | null, number | null, string | null, Task | 1 | null][];
  const db = new Map<string, Task>();
  const versions = new Map<string, number>();
  const base = new Map<string, Task>();
  for (const [row, version, baseId, baseData] of state) {
    let task: Task | null = null;
    if (row) {
      task = {
        id: row[0] as string,
        name: row[1] as string,
        schedule: row[2] as string,
        timezone: row[3] as string,
        command: row[4] as string,
        enabled: row[5] as boolean,
        description: row[6] as string | null,
        tags: row[7] as string[],
      };
      db.set(task.id, task);
      versions.set(task.id, version!);
    }
    if (baseId !== null && baseData !== null) base.set(baseId, baseData === 1 ? task! : baseData);
  }
  return { db, versions, base, open: new Set(JSON.parse(rows[0]!.open) as string[]), generation: rows[0]!.generation };
}


/**
 * The DB's change generation: a counter that a statement trigger moves on with every change
 * to tasks, sync_base or conflicts, by any writer. Equal values mean the sync state in the DB
 * is the same. As text: a BIGINT may outgrow a JS number.
 */
async function loadGeneration(tx: Tx): Promise<string> {
  const [row] = await tx.$queryRawUnsafe<{ value: string }[]>(GENERATION_SQL);
  return row!.value;
}

/**
 * How a settled sync state reads outside `ids`: tasks in the DB without an open conflict (in
 * sync, since the state is settled) and open conflicts. What a full run would count for them.
 */
async function countSettled(tx: Tx, ids: readonly string[]): Promise<{ inSync: number; conflicts: number }> {
  const [row] = await tx.$queryRawUnsafe<{ inSync: number; conflicts: number }[]>(
    `SELECT
       (SELECT count(*)::int FROM tasks t WHERE NOT (t.id = ANY($1::text[]))
          AND NOT EXISTS (SELECT 1 FROM conflicts c WHERE c.task_id = t.id AND c.status = 'open')) AS "inSync",
       (SELECT count(*)::int FROM conflicts WHERE status = 'open' AND NOT (task_id = ANY($1::text[]))) AS conflicts`,
    ids,
  );
  return row!;
}

const RECENT_RUN_SQL = `SELECT EXISTS (SELECT 1 FROM sync_runs WHERE trigger = $1 AND status = 'success'
  AND finished_at > clock_timestamp() - $2 * interval '1 millisecond') AS ran`;

async function ranRecently(tx: Tx, trigger: string, withinMs: number): Promise<boolean> {
  const [row] = await tx.$queryRawUnsafe<{ ran: boolean }[]>(RECENT_RUN_SQL, trigger, Math.round(withinMs));
  return row?.ran === true;
}

async function loadBase(tx: Tx, ids?: readonly string[]): Promise<Map<string, Task>> {
  const rows = await queryJson<{ data: Task }>(tx, `SELECT data FROM sync_base ${idFilter(ids, "task_id")}`, ...(ids ? [ids] : []));
  return new Map(rows.map((row) => [row.data.id, row.data]));
}

/** Writes tasks to the DB side; a task's version goes up only when a field really changed. */
async function upsertTasks(tx: Tx, tasks: readonly Task[], source: string): Promise<void> {
  if (tasks.length === 0) return;
  await tx.$executeRawUnsafe(
    `INSERT INTO tasks (id, name, schedule, timezone, command, enabled, description, tags, source)
     SELECT id, name, schedule, timezone, command, enabled, description, coalesce(tags, '{}'), $2 FROM ${TASK_RECORDSET}
     ON CONFLICT (id) DO UPDATE SET
       name = excluded.name, schedule = excluded.schedule, timezone = excluded.timezone,
       command = excluded.command, enabled = excluded.enabled, description = excluded.description,
       tags = excluded.tags, source = excluded.source,
       version = tasks.version + 1, updated_at = now()
     WHERE (tasks.name, tasks.schedule, tasks.timezone, tasks.command, tasks.enabled, tasks.description, coalesce(tasks.tags, '{}'))
       IS DISTINCT FROM (excluded.name, excluded.schedule, excluded.timezone, excluded.command, excluded.enabled, excluded.description, excluded.tags)`,
    JSON.stringify(tasks),
    source,
  );
}

async function deleteTasks(tx: Tx, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await tx.$executeRawUnsafe(`DELETE FROM tasks WHERE id = ANY($1::text[])`, ids);
}

async function setBase(tx: Tx, tasks: readonly Task[]): Promise<void> {
  if (tasks.length === 0) return;
  await tx.$executeRawUnsafe(
    `INSERT INTO sync_base (task_id, data, updated_at)
     SELECT value->>'id', value, now() FROM jsonb_array_elements($1::jsonb)
     ON CONFLICT (task_id) DO UPDATE SET data = excluded.data, updated_at = now()
     WHERE sync_base.data IS DISTINCT FROM excluded.data`,
    JSON.stringify(tasks),
  );
}

async function deleteBase(tx: Tx, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await tx.$executeRawUnsafe(`DELETE FROM sync_base WHERE task_id = ANY($1::text[])`, ids);
}

const CONFLICT_COLUMNS = `id, task_id AS "taskId", kind, status, base, yaml, db, coalesce(fields, '{}') AS fields, resolution,
  detected_at AS "detectedAt", updated_at AS "updatedAt", resolved_at AS "resolvedAt", run_id AS "runId"`;

async function loadOpenConflicts(tx: Tx, ids?: readonly string[]): Promise<Map<string, ConflictRecord>> {
  const rows = await queryJson<ConflictRecord>(
    tx,
    `SELECT ${CONFLICT_COLUMNS} FROM conflicts WHERE status = 'open' ${ids ? "AND task_id = ANY($1::text[])" : ""}`,
    ...(ids ? [ids] : []),
  );
  return new Map(rows.map((row) => [row.taskId, row]));
}

/** One task's row and its open conflict, in one round trip. */
async function loadTaskAndConflict(tx: Tx, id: string): Promise<{ task: StoredTask | null; conflict: ConflictRecord | null }> {
  const rows = await tx.$queryRawUnsafe<{ task: string | null; conflict: string | null }[]>(
    `SELECT
       (SELECT row_to_json(r)::text FROM (SELECT ${TASK_COLUMNS}, version, source, created_at AS "createdAt", updated_at AS "updatedAt" FROM tasks WHERE id = $1) r) AS task,
       (SELECT row_to_json(r)::text FROM (SELECT ${CONFLICT_COLUMNS} FROM conflicts WHERE status = 'open' AND task_id = $1) r) AS conflict`,
    id,
  );
  return { task: rows[0]?.task ? JSON.parse(rows[0].task) : null, conflict: rows[0]?.conflict ? JSON.parse(rows[0].conflict) : null };
}

async function getConflict(tx: Tx, id: string): Promise<ConflictRecord | null> {
  const rows = await queryJson<ConflictRecord>(tx, `SELECT ${CONFLICT_COLUMNS} FROM conflicts WHERE id = $1::uuid`, id);
  return rows[0] ?? null;
}

async function listConflicts(tx: Tx, status: "open" | "resolved" | "all", limit = 500): Promise<ConflictRecord[]> {
  const where = status === "all" ? "" : `WHERE status = '${status === "open" ? "open" : "resolved"}'`;
  return queryJson<ConflictRecord>(tx, `SELECT ${CONFLICT_COLUMNS} FROM conflicts ${where} ORDER BY detected_at DESC LIMIT $1`, limit);
}


/** Opens conflicts, or refreshes the open one of the same task; returns the rows that are new or changed. */
async function upsertOpenConflicts(tx: Tx, conflicts: readonly ConflictWrite[], runId: string | null): Promise<ConflictRecord[]> {
  if (conflicts.length === 0) return [];
  return queryJsonWith<ConflictRecord>(
    tx,
    `input AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS c("taskId" text, kind text, base jsonb, yaml jsonb, db jsonb, fields text[])
     ), written AS (
       INSERT INTO conflicts (id, task_id, kind, status, base, yaml, db, fields, run_id)
       SELECT gen_random_uuid(), "taskId", kind, 'open', nullif(base, 'null'), nullif(yaml, 'null'), nullif(db, 'null'), fields, $2::uuid FROM input
       ON CONFLICT (task_id) WHERE status = 'open' DO UPDATE SET
         kind = excluded.kind, base = excluded.base, yaml = excluded.yaml, db = excluded.db,
         fields = excluded.fields, run_id = excluded.run_id, updated_at = now()
       WHERE (conflicts.kind, conflicts.base, conflicts.yaml, conflicts.db, conflicts.fields)
         IS DISTINCT FROM (excluded.kind, excluded.base, excluded.yaml, excluded.db, excluded.fields)
       RETURNING *
     )`,
    `SELECT ${CONFLICT_COLUMNS} FROM written`,
    JSON.stringify(conflicts),
    runId,
  );
}

/** Closes the open conflicts of these tasks; returns the closed rows. */
async function closeConflicts(tx: Tx, taskIds: readonly string[], resolution: string): Promise<ConflictRecord[]> {
  if (taskIds.length === 0) return [];
  return queryJsonWith<ConflictRecord>(
    tx,
    `closed AS (
       UPDATE conflicts SET status = 'resolved', resolution = $2, resolved_at = now(), updated_at = now()
       WHERE status = 'open' AND task_id = ANY($1::text[]) RETURNING *
     )`,
    `SELECT ${CONFLICT_COLUMNS} FROM closed`,
    taskIds,
    resolution,
  );
}

async function countOpenConflicts(tx: Tx): Promise<number> {
  const rows = await tx.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM conflicts WHERE status = 'open'`);
  return rows[0].n;
}



/**
 * Records a run, and its per-task changes in the same statement; `finished_at` is the time of
 * the insert, the end of the run (now() would be its transaction's start).
 */
async function insertRun(tx: Tx, run: RunWrite, changes: readonly ChangeRecord[] = []): Promise<void> {
  const values = `($1::uuid, $2, $3, $4, $5::jsonb, $6, $7, $8, $9::timestamptz, clock_timestamp(), $10)`;
  const columns = `sync_runs (id, trigger, direction, status, counts, conflicts, error, yaml_checksum, started_at, finished_at, duration_ms)`;
  await tx.$executeRawUnsafe(
    changes.length === 0
      ? `INSERT INTO ${columns} VALUES ${values}`
      : `WITH run AS (INSERT INTO ${columns} VALUES ${values} RETURNING id)
         INSERT INTO sync_changes (run_id, task_id, side, action, before, after)
         SELECT (SELECT id FROM run), "taskId", side, action, nullif(before, 'null'), nullif(after, 'null')
         FROM jsonb_to_recordset($11::jsonb) AS c("taskId" text, side text, action text, before jsonb, after jsonb)`,
    run.id,
    run.trigger,
    run.direction,
    run.status,
    JSON.stringify(run.counts),
    run.conflicts,
    run.error,
    run.yamlChecksum,
    run.startedAt.toISOString(),
    run.durationMs,
    ...(changes.length === 0 ? [] : [JSON.stringify(changes)]),
  );
}

const RUN_COLUMNS = `id, trigger, direction, status, dry_run AS "dryRun", counts, conflicts, error, yaml_checksum AS "yamlChecksum",
  started_at AS "startedAt", finished_at AS "finishedAt", duration_ms AS "durationMs"`;

async function listRuns(tx: Tx, options: { limit: number; before?: string; changedOnly?: boolean }): Promise<RunRecord[]> {
  const where: string[] = [];
  const params: unknown[] = [options.limit];
  if (options.before) {
    params.push(options.before);
    where.push(`started_at < $${params.length}::timestamptz`);
  }
  if (options.changedOnly) where.push(`(status = 'error' OR conflicts > 0 OR EXISTS (SELECT 1 FROM sync_changes c WHERE c.run_id = sync_runs.id))`);
  return queryJson<RunRecord>(
    tx,
    `SELECT ${RUN_COLUMNS} FROM sync_runs ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY started_at DESC LIMIT $1`,
    ...params,
  );
}

async function getRun(tx: Tx, id: string): Promise<RunDetail | null> {
  const runs = await queryJson<RunRecord>(tx, `SELECT ${RUN_COLUMNS} FROM sync_runs WHERE id = $1::uuid`, id);
  if (!runs[0]) return null;
  const changes = await queryJson<ChangeRecord & { id: string; createdAt: string }>(
    tx,
    `SELECT id::text AS id, task_id AS "taskId", side, action, before, after, created_at AS "createdAt" FROM sync_changes WHERE run_id = $1::uuid ORDER BY id`,
    id,
  );
  return { ...runs[0], changes };
}


async function taskHistory(tx: Tx, taskId: string, limit = 200): Promise<TaskChange[]> {
  return queryJson<TaskChange>(
    tx,
    `SELECT c.id::text AS id, c.run_id AS "runId", r.trigger, c.task_id AS "taskId", c.side, c.action, c.before, c.after, c.created_at AS "createdAt"
     FROM sync_changes c JOIN sync_runs r ON r.id = c.run_id
     WHERE c.task_id = $1 ORDER BY c.id DESC LIMIT $2`,
    taskId,
    limit,
  );
}

async function getChange(tx: Tx, changeId: string): Promise<TaskChange | null> {
  const rows = await queryJson<TaskChange>(
    tx,
    `SELECT c.id::text AS id, c.run_id AS "runId", r.trigger, c.task_id AS "taskId", c.side, c.action, c.before, c.after, c.created_at AS "createdAt"
     FROM sync_changes c JOIN sync_runs r ON r.id = c.run_id WHERE c.id = $1::bigint`,
    changeId,
  );
  return rows[0] ?? null;
}
