import { listTasksQuerySchema, type ListTasksQuery } from "./task-reads";
import { DEFAULT_PAGE_SIZE, type TaskListParams } from "../client/task-list-query";

type SearchParams = Record<string, string | string[] | undefined>;

/**
 * The dashboard's filters from the address bar. Anything malformed falls back to
 * its default instead of failing the page: a hand-edited URL still shows tasks.
 */
export function parseTaskListParams(searchParams: SearchParams): TaskListParams {
  const one = (key: string) => {
    const value = searchParams[key];
    return Array.isArray(value) ? value[0] : value;
  };
  const pick = <K extends keyof ListTasksQuery>(key: K, raw: string | undefined): ListTasksQuery[K] | undefined => {
    if (raw === undefined || raw === "") return undefined;
    const parsed = listTasksQuerySchema.shape[key].safeParse(raw);
    return parsed.success ? (parsed.data as ListTasksQuery[K]) : undefined;
  };
  const q = pick("q", one("q")?.trim());
  const tag = pick("tag", one("tag")?.trim());
  return {
    ...(q ? { q } : {}),
    ...(tag ? { tag } : {}),
    ...(pick("enabled", one("enabled")) ? { enabled: pick("enabled", one("enabled")) } : {}),
    ...(pick("conflicted", one("conflicted")) ? { conflicted: pick("conflicted", one("conflicted")) } : {}),
    ...(pick("state", one("state")) ? { state: pick("state", one("state")) } : {}),
    ...(pick("sort", one("sort")) ? { sort: pick("sort", one("sort")) } : {}),
    limit: pick("limit", one("limit")) ?? DEFAULT_PAGE_SIZE,
    offset: pick("offset", one("offset")) ?? 0,
  };
}

