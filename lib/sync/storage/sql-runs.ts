import { actorOfTrigger } from "../../people/actor";
import type { ChangeRecord, ListRunsOptions, RunDetail, RunRecord, RunWrite, TaskChange } from "./sync-storage";
import { queryJson, type Tx } from "./sql-json";

// Runs and their per-task changes: the history.

const RECENT_RUN_SQL = `SELECT EXISTS (SELECT 1 FROM sync_runs WHERE trigger = $1 AND status = 'success'
  AND finished_at > clock_timestamp() - $2 * interval '1 millisecond') AS ran`;

export async function ranRecently(tx: Tx, trigger: string, withinMs: number): Promise<boolean> {
  const [row] = await tx.$queryRawUnsafe<{ ran: boolean }[]>(RECENT_RUN_SQL, trigger, Math.round(withinMs));
  return row?.ran === true;
}

export async function insertRun(tx: Tx, run: RunWrite, changes: readonly ChangeRecord[] = []): Promise<void> {
  const values = `($1::uuid, $2, $3, $4, $5::jsonb, $6, $7, $8, $9::timestamptz, clock_timestamp(), $10, $11, $12, $13)`;
  const columns = `sync_runs (id, trigger, direction, status, counts, conflicts, error, yaml_checksum, started_at, finished_at, duration_ms, actor_kind, actor_name, actor_id)`;
  const actor = run.actor ?? actorOfTrigger(run.trigger);
  await tx.$executeRawUnsafe(
    changes.length === 0
      ? `INSERT INTO ${columns} VALUES ${values}`
      : `WITH run AS (INSERT INTO ${columns} VALUES ${values} RETURNING id)
         INSERT INTO sync_changes (run_id, task_id, side, action, before, after)
         SELECT (SELECT id FROM run), "taskId", side, action, nullif(before, 'null'), nullif(after, 'null')
         FROM jsonb_to_recordset($14::jsonb) AS c("taskId" text, side text, action text, before jsonb, after jsonb)`,
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
    actor.kind,
    actor.name,
    actor.id,
    ...(changes.length === 0 ? [] : [JSON.stringify(changes)]),
  );
}

/** A run's actor as JSON (null for a row without one). */
export const actorJson = (table: string) =>
  `CASE WHEN ${table}.actor_kind IS NULL THEN NULL ELSE json_build_object('kind', ${table}.actor_kind, 'name', ${table}.actor_name, 'id', ${table}.actor_id) END`;

const RUN_COLUMNS = `id, trigger, direction, status, dry_run AS "dryRun", counts, conflicts, error, yaml_checksum AS "yamlChecksum",
  started_at AS "startedAt", finished_at AS "finishedAt", duration_ms AS "durationMs", ${actorJson("sync_runs")} AS actor`;

export async function listRuns(tx: Tx, options: ListRunsOptions): Promise<RunRecord[]> {
  const where: string[] = [];
  const params: unknown[] = [options.limit];
  if (options.before) {
    params.push(options.before);
    where.push(`started_at < $${params.length}::timestamptz`);
  }
  if (options.actor?.kind) {
    params.push(options.actor.kind);
    where.push(`actor_kind = $${params.length}`);
  }
  if (options.actor?.name) {
    params.push(options.actor.name);
    where.push(`actor_name = $${params.length}`);
  }
  if (options.changedOnly) where.push(`(status = 'error' OR conflicts > 0 OR EXISTS (SELECT 1 FROM sync_changes c WHERE c.run_id = sync_runs.id))`);
  return queryJson<RunRecord>(
    tx,
    `SELECT ${RUN_COLUMNS} FROM sync_runs ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY started_at DESC LIMIT $1`,
    ...params,
  );
}

export async function getRun(tx: Tx, id: string): Promise<RunDetail | null> {
  const runs = await queryJson<RunRecord>(tx, `SELECT ${RUN_COLUMNS} FROM sync_runs WHERE id = $1::uuid`, id);
  if (!runs[0]) return null;
  const changes = await queryJson<ChangeRecord & { id: string; createdAt: string }>(
    tx,
    `SELECT id::text AS id, task_id AS "taskId", side, action, before, after, created_at AS "createdAt" FROM sync_changes WHERE run_id = $1::uuid ORDER BY id`,
    id,
  );
  return { ...runs[0], changes };
}


/**
 * One task's changes, newest first, following renames back (git's `log --follow`): the chain
 * holds (id, up to which change) pairs, starting with the task itself; a rename into an id of the
 * chain adds the old id with the changes before that rename. Each step goes to an older change,
 * so a chain that comes back to an id (a → b → a) ends. The task's own rename away (recorded
 * under the new id, `before.id` = this one) is listed too.
 */
export async function taskHistory(tx: Tx, taskId: string, limit = 200): Promise<TaskChange[]> {
  return queryJson<TaskChange>(
    tx,
    `WITH RECURSIVE chain(task_id, upto) AS (
       SELECT $1::text, NULL::bigint
       UNION
       SELECT c.before->>'id', c.id FROM chain JOIN sync_changes c ON c.task_id = chain.task_id
       WHERE c.action = 'rename' AND (chain.upto IS NULL OR c.id < chain.upto)
     ),
     -- Two indexed lookups (by task id; renames away by the partial index on before->>'id'), deduplicated.
     hits(id) AS (
       SELECT c.id FROM chain JOIN sync_changes c ON c.task_id = chain.task_id AND (chain.upto IS NULL OR c.id < chain.upto)
       UNION
       SELECT c.id FROM sync_changes c WHERE c.action = 'rename' AND c.before->>'id' = $1
     )
     SELECT c.id::text AS id, c.run_id AS "runId", r.trigger, ${actorJson("r")} AS actor, c.task_id AS "taskId", c.side, c.action, c.before, c.after, c.created_at AS "createdAt"
     FROM hits h JOIN sync_changes c ON c.id = h.id JOIN sync_runs r ON r.id = c.run_id
     ORDER BY c.id DESC LIMIT $2`,
    taskId,
    limit,
  );
}

export async function getChange(tx: Tx, changeId: string): Promise<TaskChange | null> {
  const rows = await queryJson<TaskChange>(
    tx,
    `SELECT c.id::text AS id, c.run_id AS "runId", r.trigger, ${actorJson("r")} AS actor, c.task_id AS "taskId", c.side, c.action, c.before, c.after, c.created_at AS "createdAt"
     FROM sync_changes c JOIN sync_runs r ON r.id = c.run_id WHERE c.id = $1::bigint`,
    changeId,
  );
  return rows[0] ?? null;
}
