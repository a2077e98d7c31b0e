import type { ListTasksQuery } from "@/lib/tasks/task-reads";

export const PAGE_SIZES = [25, 50, 100, 200] as const;
export const DEFAULT_PAGE_SIZE = 50;

export type TaskListParams = Omit<ListTasksQuery, "limit" | "offset"> & { limit: number; offset: number };

/** The dashboard URL for these filters; defaults are left out to keep links short. */
export function taskListHref(params: Partial<TaskListParams>): string {
  const search = new URLSearchParams();
  if (params.q) search.set("q", params.q);
  if (params.tag) search.set("tag", params.tag);
  if (params.enabled) search.set("enabled", params.enabled);
  if (params.conflicted) search.set("conflicted", params.conflicted);
  if (params.state) search.set("state", params.state);
  if (params.sort && params.sort !== "id") search.set("sort", params.sort);
  if (params.limit && params.limit !== DEFAULT_PAGE_SIZE) search.set("limit", String(params.limit));
  if (params.offset) search.set("offset", String(params.offset));
  const text = search.toString();
  return text ? `/?${text}` : "/";
}

export function hasFilters(params: Partial<TaskListParams>): boolean {
  return Boolean(params.q || params.tag || params.enabled || params.conflicted || params.state);
}
