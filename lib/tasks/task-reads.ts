import { z } from "zod";
import type { Database } from "../db/create-database";
import type { StoredTask } from "./stored-task";
import { nextRunsByTask } from "../schedule/next-run-by-task";

export interface TaskListItem extends StoredTask {
  conflict: { id: string; kind: string } | null;
}

export const listTasksQuerySchema = z.strictObject({
  q: z.string().max(200).optional(),
  tag: z.string().max(64).optional(),
  enabled: z.enum(["true", "false"]).optional(),
  conflicted: z.enum(["true", "false"]).optional(),
  /** How the task's two sides stand: equal, different (a sync would write one), in a conflict, or a held deletion. */
  state: z.enum(["in_sync", "differs", "conflict", "held"]).optional(),
  /** `id` (default), `next` (soonest next run first, disabled last) or `changed` (latest change first). */
  sort: z.enum(["id", "next", "changed"]).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
export type ListTasksQuery = z.output<typeof listTasksQuerySchema>;

const SELECT = `SELECT t.id, t.name, t.schedule, t.timezone, t.command, t.enabled, t.description, coalesce(t.tags, '{}') AS tags,
  t.version, t.source, t.created_at AS "createdAt", t.updated_at AS "updatedAt",
  CASE WHEN c.id IS NULL THEN NULL ELSE json_build_object('id', c.id, 'kind', c.kind) END AS conflict
  FROM tasks t LEFT JOIN conflicts c ON c.task_id = t.id AND c.status = 'open'`;

/** Ids a sync-state filter turns into: only these, or all but these (the drift is known in memory, not in SQL). */
export interface IdScope {
  only?: readonly string[];
  except?: readonly string[];
}

/** One page of tasks, filtered in SQL so 50,000 tasks stay quick to browse. */
export async function listTasks(db: Database, query: ListTasksQuery, ids: IdScope = {}): Promise<{ items: TaskListItem[]; total: number; limit: number; offset: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: (n: number) => string, value: unknown) => {
    params.push(value);
    where.push(sql(params.length));
  };
  if (query.q) {
    add((n) => `(t.id ILIKE $${n} OR t.name ILIKE $${n} OR t.command ILIKE $${n} OR array_to_string(t.tags, ' ') ILIKE $${n})`, `%${escapeLike(query.q)}%`);
  }
  if (query.tag) add((n) => `$${n} = ANY(t.tags)`, query.tag);
  if (query.enabled) add((n) => `t.enabled = $${n}::boolean`, query.enabled === "true");
  if (query.conflicted) where.push(query.conflicted === "true" ? "c.id IS NOT NULL" : "c.id IS NULL");
  if (query.state === "conflict") where.push(`c.id IS NOT NULL AND c.kind <> 'held_deletion'`);
  if (query.state === "held") where.push(`c.kind = 'held_deletion'`);
  if (query.state === "in_sync") where.push("c.id IS NULL");
  if (ids.only) add((n) => `t.id = ANY($${n}::text[])`, ids.only);
  if (ids.except) add((n) => `NOT (t.id = ANY($${n}::text[]))`, ids.except);
  const filter = where.length ? `WHERE ${where.join(" AND ")}` : "";
  if (query.sort === "next") return listByNextRun(db, query, filter, params);
  const [order, outer] = query.sort === "changed" ? [`t.updated_at DESC, t.id`, `r."updatedAt" DESC, r.id`] : [`t.id`, `r.id`];
  const rows = await db.prisma.$queryRawUnsafe<{ json: string; total: number }[]>(
    `SELECT coalesce(json_agg(r ORDER BY ${outer}), '[]')::text AS json, (SELECT count(*)::int FROM tasks t LEFT JOIN conflicts c ON c.task_id = t.id AND c.status = 'open' ${filter}) AS total
     FROM (${SELECT} ${filter} ORDER BY ${order} LIMIT ${query.limit} OFFSET ${query.offset}) r`,
    ...params,
  );
  return { items: JSON.parse(rows[0].json), total: rows[0].total, limit: query.limit, offset: query.offset };
}

/**
 * Sorting by next run cannot happen in SQL: the next run of every matching task is computed
 * (tasks sharing a schedule and zone once; ~15 ms for 10,000), then one page is read by id.
 */
async function listByNextRun(db: Database, query: ListTasksQuery, filter: string, params: unknown[]) {
  const all = await db.prisma.$queryRawUnsafe<{ json: string }[]>(
    `SELECT coalesce(json_agg(json_build_array(t.id, t.schedule, t.timezone, t.enabled)), '[]')::text AS json FROM tasks t LEFT JOIN conflicts c ON c.task_id = t.id AND c.status = 'open' ${filter}`,
    ...params,
  );
  const rows = (JSON.parse(all[0].json) as [string, string, string, boolean][]).map(([id, schedule, timezone, enabled]) => ({ id, schedule, timezone, enabled }));
  const next = nextRunsByTask(rows, Date.now());
  const key = (id: string) => next.get(id) ?? Infinity;
  rows.sort((a, b) => key(a.id) - key(b.id) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const ids = rows.slice(query.offset, query.offset + query.limit).map((r) => r.id);
  const page = await db.prisma.$queryRawUnsafe<{ json: string }[]>(
    `SELECT coalesce(json_agg(r ORDER BY array_position($1::text[], r.id)), '[]')::text AS json FROM (${SELECT} WHERE t.id = ANY($1::text[])) r`,
    ids,
  );
  return { items: JSON.parse(page[0].json) as TaskListItem[], total: rows.length, limit: query.limit, offset: query.offset };
}

export async function getTask(db: Database, id: string): Promise<TaskListItem | null> {
  const rows = await db.prisma.$queryRawUnsafe<{ json: string | null }[]>(`SELECT row_to_json(r)::text AS json FROM (${SELECT} WHERE t.id = $1) r`, id);
  return rows[0]?.json ? JSON.parse(rows[0].json) : null;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** What the schedule timeline needs of every enabled task: no descriptions, no versions. */
export async function listEnabledSchedules(db: Database): Promise<{ id: string; name: string; schedule: string; timezone: string; command: string; tags: string[] }[]> {
  const rows = await db.prisma.$queryRawUnsafe<{ json: string }[]>(
    `SELECT coalesce(json_agg(r ORDER BY r.id), '[]')::text AS json
     FROM (SELECT id, name, schedule, timezone, command, coalesce(tags, '{}') AS tags FROM tasks WHERE enabled) r`,
  );
  return JSON.parse(rows[0].json);
}

