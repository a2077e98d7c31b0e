import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { buildApp, serverBundle } from "../../scripts/build.mjs";

const ROOT = path.resolve(import.meta.dirname, "../..");
const SOURCES = ["app", "components", "lib", "server.ts", "next.config.mjs", "postcss.config.mjs", "package.json"];

function newestMtime(entry: string): number {
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(entry)) {
    if (name === "generated" || name === "node_modules") continue;
    newest = Math.max(newest, newestMtime(path.join(entry, name)));
  }
  return newest;
}

/**
 * The e2e tests run the production server, so they need a production build that is
 * not older than the sources. `npm run build` first is the fast path; a missing or
 * stale build is rebuilt here so a test run never exercises yesterday's UI.
 */
export default async function globalSetup() {
  // Screenshots of this run only.
  rmSync(path.join(ROOT, "test-results", "screenshots"), { recursive: true, force: true });
  const builtAt = existsSync(serverBundle()) ? statSync(serverBundle()).mtimeMs : 0;
  const changedAt = Math.max(...SOURCES.map((s) => path.join(ROOT, s)).filter(existsSync).map(newestMtime));
  if (builtAt >= changedAt && !process.env.E2E_FORCE_BUILD) return;
  console.log(builtAt ? "Sources changed since the last build: running `npm run build`…" : "No production build yet: running `npm run build`…");
  await buildApp();
}
