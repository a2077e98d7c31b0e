import type { StoredTask } from "../../tasks/stored-task";
import type { ConflictRecord, ConflictWrite } from "./sync-storage";
import { queryJson, queryJsonWith, TASK_COLUMNS, type Tx } from "./sql-json";
import { actorJson } from "./sql-runs";

// Conflicts: at most one open per task (a partial unique index), resolved ones kept as history.

const CONFLICT_COLUMNS = `id, task_id AS "taskId", kind, status, base, yaml, db, coalesce(fields, '{}') AS fields, resolution,
  detected_at AS "detectedAt", updated_at AS "updatedAt", resolved_at AS "resolvedAt", run_id AS "runId", resolved_run_id AS "resolvedRunId",
  (SELECT ${actorJson("closer")} FROM sync_runs closer WHERE closer.id = resolved_run_id) AS "resolvedBy",
  CASE WHEN base_revision_id IS NULL THEN NULL ELSE json_build_object('id', base_revision_id, 'behind', base_revision_behind) END AS "baseRevision"`;

export async function loadOpenConflicts(tx: Tx, ids?: readonly string[]): Promise<Map<string, ConflictRecord>> {
  const rows = await queryJson<ConflictRecord>(
    tx,
    `SELECT ${CONFLICT_COLUMNS} FROM conflicts WHERE status = 'open' ${ids ? "AND task_id = ANY($1::text[])" : ""}`,
    ...(ids ? [ids] : []),
  );
  return new Map(rows.map((row) => [row.taskId, row]));
}

/** One task's row and its open conflict, in one round trip. */
export async function loadTaskAndConflict(tx: Tx, id: string): Promise<{ task: StoredTask | null; conflict: ConflictRecord | null }> {
  const rows = await tx.$queryRawUnsafe<{ task: string | null; conflict: string | null }[]>(
    `SELECT
       (SELECT row_to_json(r)::text FROM (SELECT ${TASK_COLUMNS}, version, source, created_at AS "createdAt", updated_at AS "updatedAt" FROM tasks WHERE id = $1) r) AS task,
       (SELECT row_to_json(r)::text FROM (SELECT ${CONFLICT_COLUMNS} FROM conflicts WHERE status = 'open' AND task_id = $1) r) AS conflict`,
    id,
  );
  return { task: rows[0]?.task ? JSON.parse(rows[0].task) : null, conflict: rows[0]?.conflict ? JSON.parse(rows[0].conflict) : null };
}

export async function getConflict(tx: Tx, id: string): Promise<ConflictRecord | null> {
  const rows = await queryJson<ConflictRecord>(tx, `SELECT ${CONFLICT_COLUMNS} FROM conflicts WHERE id = $1::uuid`, id);
  return rows[0] ?? null;
}

export async function listConflicts(tx: Tx, status: "open" | "resolved" | "all", limit = 500): Promise<ConflictRecord[]> {
  const where = status === "all" ? "" : `WHERE status = '${status === "open" ? "open" : "resolved"}'`;
  return queryJson<ConflictRecord>(tx, `SELECT ${CONFLICT_COLUMNS} FROM conflicts ${where} ORDER BY detected_at DESC LIMIT $1`, limit);
}


/** Opens conflicts, or refreshes the open one of the same task; returns the rows that are new or changed. */
export async function upsertOpenConflicts(tx: Tx, conflicts: readonly ConflictWrite[], runId: string | null): Promise<ConflictRecord[]> {
  if (conflicts.length === 0) return [];
  return queryJsonWith<ConflictRecord>(
    tx,
    `input AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS c("taskId" text, kind text, base jsonb, yaml jsonb, db jsonb, fields text[], "baseRevision" jsonb)
     ), written AS (
       INSERT INTO conflicts (id, task_id, kind, status, base, yaml, db, fields, run_id, base_revision_id, base_revision_behind)
       SELECT gen_random_uuid(), "taskId", kind, 'open', nullif(base, 'null'), nullif(yaml, 'null'), nullif(db, 'null'), fields, $2::uuid,
         ("baseRevision"->>'id')::uuid, ("baseRevision"->>'behind')::int FROM input
       ON CONFLICT (task_id) WHERE status = 'open' DO UPDATE SET
         kind = excluded.kind, base = excluded.base, yaml = excluded.yaml, db = excluded.db,
         fields = excluded.fields, run_id = excluded.run_id, updated_at = now(),
         base_revision_id = excluded.base_revision_id, base_revision_behind = excluded.base_revision_behind
       WHERE (conflicts.kind, conflicts.base, conflicts.yaml, conflicts.db, conflicts.fields, conflicts.base_revision_id, conflicts.base_revision_behind)
         IS DISTINCT FROM (excluded.kind, excluded.base, excluded.yaml, excluded.db, excluded.fields, excluded.base_revision_id, excluded.base_revision_behind)
       RETURNING *
     )`,
    `SELECT ${CONFLICT_COLUMNS} FROM written`,
    JSON.stringify(conflicts),
    runId,
  );
}

/** Closes the open conflicts of these tasks; returns the closed rows. */
export async function closeConflicts(tx: Tx, taskIds: readonly string[], resolution: string, runId: string | null = null): Promise<ConflictRecord[]> {
  if (taskIds.length === 0) return [];
  return queryJsonWith<ConflictRecord>(
    tx,
    `closed AS (
       UPDATE conflicts SET status = 'resolved', resolution = $2, resolved_at = now(), updated_at = now(), resolved_run_id = $3::uuid
       WHERE status = 'open' AND task_id = ANY($1::text[]) RETURNING *
     )`,
    `SELECT ${CONFLICT_COLUMNS} FROM closed`,
    taskIds,
    resolution,
    runId,
  );
}

export async function countOpenConflicts(tx: Tx): Promise<number> {
  const rows = await tx.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM conflicts WHERE status = 'open'`);
  return rows[0].n;
}



/**
 * Records a run, and its per-task changes in the same statement; `finished_at` is the time of
 * the insert, the end of the run (now() would be its transaction's start).
 */
