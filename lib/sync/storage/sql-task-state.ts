import type { StoredTask } from "../../tasks/stored-task";
import type { Task } from "../../tasks/task-schema";
import type { ConflictKind } from "../reconcile/plan";
import type { SyncState } from "./sync-storage";
import { idFilter, queryJson, TASK_COLUMNS, TASK_RECORDSET, type Tx } from "./sql-json";

// The tasks, the base and the change generation: what a run reads and writes of the tasks.

export async function loadTasks(tx: Tx, ids?: readonly string[]): Promise<Map<string, StoredTask>> {
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
export async function loadSyncState(tx: Tx, ids?: readonly string[]): Promise<SyncState> {
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
       (SELECT coalesce(json_agg(json_build_array(task_id, kind)), '[]')::text FROM conflicts WHERE status = 'open' ${ids ? "AND task_id = ANY($1::text[])" : ""}) AS open,
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
  return { db, versions, base, open: new Map(JSON.parse(rows[0]!.open) as [string, ConflictKind][]), generation: rows[0]!.generation };
}


/**
 * The DB's change generation: a counter that a statement trigger moves on with every change
 * to tasks, sync_base or conflicts, by any writer. Equal values mean the sync state in the DB
 * is the same. As text: a BIGINT may outgrow a JS number.
 */
export async function loadGeneration(tx: Tx): Promise<string> {
  const [row] = await tx.$queryRawUnsafe<{ value: string }[]>(GENERATION_SQL);
  return row!.value;
}

/**
 * How a settled sync state reads outside `ids`: tasks in the DB without an open conflict (in
 * sync, since the state is settled) and open conflicts. What a full run would count for them.
 */
export async function countSettled(tx: Tx, ids: readonly string[]): Promise<{ inSync: number; conflicts: number }> {
  const [row] = await tx.$queryRawUnsafe<{ inSync: number; conflicts: number }[]>(
    `SELECT
       (SELECT count(*)::int FROM tasks t WHERE NOT (t.id = ANY($1::text[]))
          AND NOT EXISTS (SELECT 1 FROM conflicts c WHERE c.task_id = t.id AND c.status = 'open')) AS "inSync",
       (SELECT count(*)::int FROM conflicts WHERE status = 'open' AND NOT (task_id = ANY($1::text[]))) AS conflicts`,
    ids,
  );
  return row!;
}

export async function loadBase(tx: Tx, ids?: readonly string[]): Promise<Map<string, Task>> {
  const rows = await queryJson<{ data: Task }>(tx, `SELECT data FROM sync_base ${idFilter(ids, "task_id")}`, ...(ids ? [ids] : []));
  return new Map(rows.map((row) => [row.data.id, row.data]));
}

/** Writes tasks to the DB side; a task's version goes up only when a field really changed. */
export async function upsertTasks(tx: Tx, tasks: readonly Task[], source: string): Promise<void> {
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

export async function deleteTasks(tx: Tx, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await tx.$executeRawUnsafe(`DELETE FROM tasks WHERE id = ANY($1::text[])`, ids);
}

/**
 * Moves each row to its new id in place (a rename in the file), so it keeps its created time and
 * its version goes on from where it was; one statement for all of them.
 */
export async function renameTasks(tx: Tx, renames: readonly { from: string; task: Task }[], source: string): Promise<void> {
  if (renames.length === 0) return;
  await tx.$executeRawUnsafe(
    `UPDATE tasks SET id = t.id, name = t.name, schedule = t.schedule, timezone = t.timezone, command = t.command,
       enabled = t.enabled, description = t.description, tags = coalesce(t.tags, '{}'), source = $2,
       version = tasks.version + 1, updated_at = now()
     FROM jsonb_to_recordset($1::jsonb) AS t("from" text, id text, name text, schedule text, timezone text, command text, enabled boolean, description text, tags text[])
     WHERE tasks.id = t."from"`,
    JSON.stringify(renames.map(({ from, task }) => ({ from, ...task }))),
    source,
  );
}

export async function setBase(tx: Tx, tasks: readonly Task[]): Promise<void> {
  if (tasks.length === 0) return;
  await tx.$executeRawUnsafe(
    `INSERT INTO sync_base (task_id, data, updated_at)
     SELECT value->>'id', value, now() FROM jsonb_array_elements($1::jsonb)
     ON CONFLICT (task_id) DO UPDATE SET data = excluded.data, updated_at = now()
     WHERE sync_base.data IS DISTINCT FROM excluded.data`,
    JSON.stringify(tasks),
  );
}

export async function deleteBase(tx: Tx, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await tx.$executeRawUnsafe(`DELETE FROM sync_base WHERE task_id = ANY($1::text[])`, ids);
}
