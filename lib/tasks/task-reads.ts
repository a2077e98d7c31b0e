import { z } from "zod";
import type { Database } from "../db/create-database";
import type { StoredTask } from "./stored-task";

export interface TaskListItem extends StoredTask {
  conflict: { id: string; kind: string } | null;
}

export const listTasksQuerySchema = z.strictObject({
  q: z.string().max(200).optional(),
  tag: z.string().max(64).optional(),
  enabled: z.enum(["true", "false"]).optional(),
  conflicted: z.enum(["true", "false"]).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
export type ListTasksQuery = z.output<typeof listTasksQuerySchema>;

const SELECT = `SELECT t.id, t.name, t.schedule, t.timezone, t.command, t.enabled, t.description, coalesce(t.tags, '{}') AS tags,
  t.version, t.source, t.created_at AS "createdAt", t.updated_at AS "updatedAt",
  CASE WHEN c.id IS NULL THEN NULL ELSE json_build_object('id', c.id, 'kind', c.kind) END AS conflict
  FROM tasks t LEFT JOIN conflicts c ON c.task_id = t.id AND c.status = 'open'`;

/** One page of tasks, filtered in SQL so 50,000 tasks stay quick to browse. */
export async function listTasks(db: Database, query: ListTasksQuery): Promise<{ items: TaskListItem[]; total: number; limit: number; offset: number }> {
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
  const filter = where.length ? `WHERE ${where.join(" AND ")}` : "";
  const rows = await db.prisma.$queryRawUnsafe<{ json: string; total: number }[]>(
    `SELECT coalesce(json_agg(r ORDER BY r.id), '[]')::text AS json, (SELECT count(*)::int FROM tasks t LEFT JOIN conflicts c ON c.task_id = t.id AND c.status = 'open' ${filter}) AS total
     FROM (${SELECT} ${filter} ORDER BY t.id LIMIT ${query.limit} OFFSET ${query.offset}) r`,
    ...params,
  );
  return { items: JSON.parse(rows[0].json), total: rows[0].total, limit: query.limit, offset: query.offset };
}

export async function getTask(db: Database, id: string): Promise<TaskListItem | null> {
  const rows = await db.prisma.$queryRawUnsafe<{ json: string | null }[]>(`SELECT row_to_json(r)::text AS json FROM (${SELECT} WHERE t.id = $1) r`, id);
  return rows[0]?.json ? JSON.parse(rows[0].json) : null;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
