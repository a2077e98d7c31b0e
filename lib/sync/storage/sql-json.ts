import type { Prisma } from "../../generated/prisma/client";

/** A Prisma transaction client (or the client itself, outside a transaction). */
export type Tx = Prisma.TransactionClient;

export const TASK_COLUMNS = `id, name, schedule, timezone, command, enabled, description, coalesce(tags, '{}') AS tags`;
export const TASK_RECORDSET = `jsonb_to_recordset($1::jsonb) AS t(id text, name text, schedule text, timezone text, command text, enabled boolean, description text, tags text[])`;

/** Aggregates rows to one JSON text: one value over the wire instead of one object per row. */
export async function queryJson<T>(tx: Tx, sql: string, ...params: unknown[]): Promise<T[]> {
  return queryJsonWith<T>(tx, null, sql, ...params);
}

/** Like queryJson, with a leading WITH list (data-modifying CTEs must stay at the top level). */
export async function queryJsonWith<T>(tx: Tx, ctes: string | null, sql: string, ...params: unknown[]): Promise<T[]> {
  const rows = await tx.$queryRawUnsafe<{ json: string }[]>(
    `${ctes ? `WITH ${ctes} ` : ""}SELECT coalesce(json_agg(r), '[]')::text AS json FROM (${sql}) r`,
    ...params,
  );
  return JSON.parse(rows[0].json) as T[];
}

export function idFilter(ids: readonly string[] | undefined, column: string, param = 1): string {
  return ids ? `WHERE ${column} = ANY($${param}::text[])` : "";
}
