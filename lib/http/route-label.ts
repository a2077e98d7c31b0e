import type { RequestArea } from "../auth/request-gate";

/** Collections whose next path segment is an id (API and pages alike). */
const ID_AFTER = new Set(["tasks", "conflicts", "runs", "history", "webhooks", "deliveries", "users"]);
/** Segments after a collection that are pages or routes of their own, not ids. */
const NOT_IDS = new Set(["new"]);

/**
 * The route template of a canonical path, for logs and metric labels: ids become `:id`
 * (`/api/tasks/daily-backup` → `/api/tasks/:id`), build assets one label, and a path that found
 * nothing (404) `unmatched`, so a client cannot make up labels without bound.
 *
 * @example
 * routeLabel("/api/sync/conflicts/0b1…/resolve", "api", 200) // "/api/sync/conflicts/:id/resolve"
 */
export function routeLabel(pathname: string, area: RequestArea | null, status: number): string {
  if (area === null || status === 404) return "unmatched";
  if (area === "static") return "/_next/static";
  if (area === "socket" || area === "metrics") return pathname;
  const segments = pathname.split("/");
  for (let i = 2; i < segments.length; i++) {
    if (ID_AFTER.has(segments[i - 1]!) && segments[i] !== "" && !NOT_IDS.has(segments[i]!)) segments[i] = ":id";
  }
  return segments.join("/");
}
