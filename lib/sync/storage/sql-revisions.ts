import type { Task } from "../../tasks/task-schema";
import { storedChanges, type RevisionDetail, type RevisionDigests, type RevisionLimits, type RevisionRecord, type RevisionWrite } from "./revisions";
import { queryJson, queryJsonWith, type Tx } from "./sql-json";

// The file's revisions (issue #17): sync_revisions, their deltas (sync_revision_changes) and the
// newest revision's tasks (sync_revision_head). One statement per kind of write.

const REVISION_COLUMNS = `id, seq::int AS seq, source, run_id AS "runId", checksum, task_count AS "taskCount", parent_id AS "parentId",
  ancestor_id AS "ancestorId", added, changed, removed, created_at AS "createdAt"`;

export async function latestRevision(tx: Tx): Promise<RevisionRecord | null> {
  const rows = await queryJson<RevisionRecord>(tx, `SELECT ${REVISION_COLUMNS} FROM sync_revisions ORDER BY seq DESC LIMIT 1`);
  return rows[0] ?? null;
}

export async function listRevisions(tx: Tx, options: { limit: number; beforeSeq?: number }): Promise<RevisionRecord[]> {
  return queryJson<RevisionRecord>(
    tx,
    `SELECT ${REVISION_COLUMNS} FROM sync_revisions ${options.beforeSeq !== undefined ? "WHERE seq < $2" : ""} ORDER BY seq DESC LIMIT $1`,
    options.limit,
    ...(options.beforeSeq !== undefined ? [options.beforeSeq] : []),
  );
}

export async function getRevision(tx: Tx, id: string): Promise<RevisionDetail | null> {
  if (!UUID.test(id)) return null;
  const rows = await queryJson<RevisionDetail>(
    tx,
    `SELECT ${REVISION_COLUMNS},
       (SELECT coalesce(json_agg(json_build_object('taskId', c.task_id, 'before', c.before, 'after', c.after) ORDER BY c.task_id), '[]')
        FROM sync_revision_changes c WHERE c.revision_seq = r.seq) AS changes
     FROM sync_revisions r WHERE id = $1::uuid`,
    id,
  );
  return rows[0] ?? null;
}

export async function findRevisionByChecksum(tx: Tx, checksum: string): Promise<RevisionRecord | null> {
  const rows = await queryJson<RevisionRecord>(tx, `SELECT ${REVISION_COLUMNS} FROM sync_revisions WHERE checksum = $1 ORDER BY seq DESC LIMIT 1`, checksum);
  return rows[0] ?? null;
}

export async function loadRevisionDigests(tx: Tx): Promise<RevisionDigests[]> {
  // One pass over the window's deltas (grouped), not a subquery per revision.
  return queryJson<RevisionDigests>(
    tx,
    `WITH oldest AS (SELECT min(seq) AS seq FROM sync_revisions),
     deltas AS (
       SELECT c.revision_seq, json_agg(json_build_array(c.task_id, c.before_digest, c.after_digest, c.before, c.after)) AS changes
       FROM sync_revision_changes c, oldest WHERE c.revision_seq > oldest.seq GROUP BY c.revision_seq
     )
     SELECT r.id, r.parent_id AS "parentId", r.seq::int AS seq, r.checksum, r.source, coalesce(d.changes, '[]') AS changes
     FROM sync_revisions r CROSS JOIN oldest LEFT JOIN deltas d ON d.revision_seq = r.seq
     WHERE r.seq > oldest.seq ORDER BY r.seq DESC`,
  );
}

export async function loadRevisionTasks(tx: Tx, revisionId: string | null, ids?: readonly string[]): Promise<Map<string, Task>> {
  if (revisionId !== null && !UUID.test(revisionId)) return new Map();
  const params: unknown[] = [revisionId];
  const idsParam = ids ? `$${params.push(ids)}::text[]` : null;
  // The value of a task in revision R: the `before` of the first later delta that touched it,
  // or the head's when no later delta did.
  const rows = await tx.$queryRawUnsafe<{ json: string }[]>(
    `WITH r AS (SELECT seq FROM sync_revisions WHERE $1::uuid IS NOT NULL AND id = $1::uuid),
     later AS (
       SELECT DISTINCT ON (c.task_id) c.task_id, c.before FROM sync_revision_changes c, r
       WHERE c.revision_seq > r.seq ${idsParam ? `AND c.task_id = ANY(${idsParam})` : ""}
       ORDER BY c.task_id, c.revision_seq
     )
     SELECT coalesce(json_agg(x.task), '[]')::text AS json FROM (
       SELECT h.task FROM sync_revision_head h
       WHERE ($1::uuid IS NULL OR EXISTS (SELECT 1 FROM r)) ${idsParam ? `AND h.task_id = ANY(${idsParam})` : ""}
         AND NOT EXISTS (SELECT 1 FROM later l WHERE l.task_id = h.task_id)
       UNION ALL SELECT before FROM later WHERE before IS NOT NULL
     ) x`,
    ...params,
  );
  const tasks = JSON.parse(rows[0]!.json) as Task[];
  tasks.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return new Map(tasks.map((task) => [task.id, task]));
}

export async function insertRevision(tx: Tx, revision: RevisionWrite, limits: RevisionLimits): Promise<RevisionRecord> {
  const { rows: changes, added, changed, removed } = storedChanges(revision.changes);
  const [record] = await queryJsonWith<RevisionRecord>(
    tx,
    `parent AS (SELECT id FROM sync_revisions ORDER BY seq DESC LIMIT 1),
     inserted AS (
       INSERT INTO sync_revisions (id, run_id, source, checksum, task_count, parent_id, ancestor_id, added, changed, removed, created_at)
       VALUES ($1::uuid, $2::uuid, $3, $4, $5, (SELECT id FROM parent), $6::uuid, $7, $8, $9, clock_timestamp())
       RETURNING *
     ),
     deltas AS (
       INSERT INTO sync_revision_changes (revision_seq, task_id, before, after, before_digest, after_digest)
       SELECT (SELECT seq FROM inserted), "taskId", nullif(before, 'null'), nullif(after, 'null'), "beforeDigest", "afterDigest"
       FROM jsonb_to_recordset($10::jsonb) AS c("taskId" text, before jsonb, after jsonb, "beforeDigest" text, "afterDigest" text)
     )`,
    `SELECT ${REVISION_COLUMNS} FROM inserted`,
    revision.id,
    revision.runId,
    revision.source,
    revision.checksum,
    revision.taskCount,
    revision.ancestorId,
    added,
    changed,
    removed,
    JSON.stringify(changes),
  );
  if (changes.length > 0) {
    await tx.$executeRawUnsafe(
      `WITH c AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS c("taskId" text, after jsonb, "afterDigest" text)),
       gone AS (DELETE FROM sync_revision_head h USING c WHERE h.task_id = c."taskId" AND (c.after IS NULL OR c.after = 'null'::jsonb))
       INSERT INTO sync_revision_head (task_id, digest, task)
       SELECT "taskId", "afterDigest", after FROM c WHERE after IS NOT NULL AND after <> 'null'::jsonb
       ON CONFLICT (task_id) DO UPDATE SET digest = excluded.digest, task = excluded.task`,
      JSON.stringify(changes.map(({ taskId, after, afterDigest }) => ({ taskId, after, afterDigest }))),
    );
  }
  // Keep the newest `keep`, none older than the age limit; the head always stays.
  await tx.$executeRawUnsafe(
    `DELETE FROM sync_revisions WHERE seq < (SELECT max(seq) FROM sync_revisions) AND (
       seq <= (SELECT seq FROM sync_revisions ORDER BY seq DESC OFFSET $1 LIMIT 1)
       OR created_at < clock_timestamp() - $2 * interval '1 millisecond')`,
    Math.max(1, limits.keep),
    Math.round(limits.maxAgeMs),
  );
  return record!;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
