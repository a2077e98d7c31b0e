import fs from "node:fs/promises";
import path from "node:path";
import { ROOT } from "./app-process";

const UUID = "00000000-0000-4000-8000-000000000000";

/**
 * Every API route and method, read from app/api so a route added later is covered too. A
 * `[id]` becomes a UUID under /api/sync (conflicts, runs) and the seeded task id elsewhere.
 */
export async function apiRoutes(): Promise<{ method: string; path: string }[]> {
  const routes: { method: string; path: string }[] = [];
  const walk = async (dir: string) => {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.name === "route.ts") {
        const source = await fs.readFile(full, "utf8");
        const rel = path.relative(path.join(ROOT, "app"), path.dirname(full));
        const urlPath = `/${rel}`.replace(/\[(\w+)\]/g, () => (rel.includes("sync/") ? UUID : "daily-backup"));
        for (const [, method] of source.matchAll(/export const (GET|POST|PUT|PATCH|DELETE)\b/g)) routes.push({ method: method!, path: urlPath });
      }
    }
  };
  await walk(path.join(ROOT, "app/api"));
  return routes;
}
