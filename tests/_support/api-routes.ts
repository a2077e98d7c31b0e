import fs from "node:fs/promises";
import path from "node:path";
import { ROOT } from "./app-process";

const UUID = "00000000-0000-4000-8000-000000000000";

/**
 * Every route file under app/api with the path it serves, read from the folder so a route added
 * later is covered too. A `[id]` becomes a UUID under /api/sync (conflicts, runs) and the seeded
 * task id elsewhere; `route` is the folder's own path (`/api/tasks/[id]`).
 */
export async function apiRouteFiles(): Promise<{ file: string; route: string; path: string }[]> {
  const files: { file: string; route: string; path: string }[] = [];
  const walk = async (dir: string) => {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.name === "route.ts") {
        const rel = path.relative(path.join(ROOT, "app"), path.dirname(full));
        files.push({ file: full, route: `/${rel}`, path: `/${rel}`.replace(/\[(\w+)\]/g, () => (rel.includes("sync/") ? UUID : "daily-backup")) });
      }
    }
  };
  await walk(path.join(ROOT, "app/api"));
  return files;
}

/** Every API route and method (see apiRouteFiles). */
export async function apiRoutes(): Promise<{ method: string; path: string }[]> {
  const routes: { method: string; path: string }[] = [];
  for (const { file, path: urlPath } of await apiRouteFiles()) {
    const source = await fs.readFile(file, "utf8");
    for (const [, method] of source.matchAll(/export const (GET|POST|PUT|PATCH|DELETE)\b/g)) routes.push({ method: method!, path: urlPath });
  }
  return routes;
}
