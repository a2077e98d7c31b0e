import { listTasksQuerySchema, type ListTasksQuery } from "@/lib/tasks/task-queries";

export const PAGE_SIZES = [25, 50, 100, 200] as const;
export const DEFAULT_PAGE_SIZE = 50;

export type TaskListParams = Omit<ListTasksQuery, "limit" | "offset"> & { limit: number; offset: number };

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
    ...(pick("sort", one("sort")) ? { sort: pick("sort", one("sort")) } : {}),
    limit: pick("limit", one("limit")) ?? DEFAULT_PAGE_SIZE,
    offset: pick("offset", one("offset")) ?? 0,
  };
}

/** The dashboard URL for these filters; defaults are left out to keep links short. */
export function taskListHref(params: Partial<TaskListParams>): string {
  const search = new URLSearchParams();
  if (params.q) search.set("q", params.q);
  if (params.tag) search.set("tag", params.tag);
  if (params.enabled) search.set("enabled", params.enabled);
  if (params.conflicted) search.set("conflicted", params.conflicted);
  if (params.sort && params.sort !== "id") search.set("sort", params.sort);
  if (params.limit && params.limit !== DEFAULT_PAGE_SIZE) search.set("limit", String(params.limit));
  if (params.offset) search.set("offset", String(params.offset));
  const text = search.toString();
  return text ? `/?${text}` : "/";
}

export function hasFilters(params: Partial<TaskListParams>): boolean {
  return Boolean(params.q || params.tag || params.enabled || params.conflicted);
}
