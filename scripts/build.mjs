// `npm run build`: the Next.js production build, then server.ts and the lib/ code it imports
// bundled into one JavaScript file in the build folder, which `npm start` and the tests run.
// Running server.ts through tsx instead costs ~70 MB of memory for the life of the server
// (tsx's loader thread and the transpiled sources); the bundle takes ~50 ms to make.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

const ROOT = path.resolve(import.meta.dirname, "..");

/**
 * The bundled server, in the build folder (`NEXT_DIST_DIR` lets two builds, a developer's
 * and a test run's, live side by side). Written last, so it existing means the whole build
 * finished.
 */
export function serverBundle() {
  return path.join(ROOT, process.env.NEXT_DIST_DIR || ".next", "schedule-sync-server.mjs");
}

/**
 * `node` arguments that run the built server. V8 otherwise lets the old generation grow to
 * up to 4× what is live between collections and the young one to 2 × 16 MB; a 1.3× growth
 * and 8 MB semi-spaces keep the server at 10,000 tasks at ~300 MiB under load instead of
 * 470-600, with request rates and edit latency within run-to-run noise (bench/README).
 * --heap-growing-percent cannot be set through NODE_OPTIONS.
 */
export function serverArgs() {
  return ["--max-semi-space-size=8", "--heap-growing-percent=30", serverBundle()];
}

/** What the build is made from (lib/generated comes from prisma/schema.prisma). */
const SOURCES = [
  "app", "components", "lib", "server.ts", "prisma/schema.prisma",
  "scripts/build.mjs", "next.config.mjs", "postcss.config.mjs", "package.json",
];

function newestMtime(entry) {
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(entry)) {
    if (name === "generated" || name === "node_modules") continue;
    newest = Math.max(newest, newestMtime(path.join(entry, name)));
  }
  return newest;
}

/** No build, or the sources changed since it was made. */
export function buildIsStale() {
  if (!existsSync(serverBundle())) return true;
  const changedAt = Math.max(...SOURCES.map((source) => path.join(ROOT, source)).filter(existsSync).map(newestMtime));
  return statSync(serverBundle()).mtimeMs < changedAt;
}

export async function buildApp() {
  const next = spawnSync(process.execPath, [path.join(ROOT, "node_modules/next/dist/bin/next"), "build"], {
    cwd: ROOT,
    stdio: "inherit",
    env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (next.status !== 0) throw new Error(`next build failed (exit ${next.status})`);
  await build({
    entryPoints: [path.join(ROOT, "server.ts")],
    outfile: serverBundle(),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    // node_modules stay plain imports: one copy of each package shared with Next's route
    // handlers (next.config.mjs serverExternalPackages), and nothing native inlined.
    packages: "external",
    logLevel: "warning",
  });
}

/** Builds when there is no build or it is older than the sources (tests, benchmarks). */
export async function ensureFreshBuild() {
  if (!buildIsStale()) return;
  console.log("The build is missing or older than the sources: running `npm run build`…");
  await buildApp();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    await buildApp();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
