// `npm start`: builds the Next.js app when no build exists (a fresh clone), then runs
// server.ts in production mode. Every setting comes from the environment (README).
import { spawnSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const env = { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" };

if (!existsSync(path.join(root, "lib/generated/prisma/client.ts"))) {
  const generated = spawnSync(process.execPath, [path.join(root, "scripts/prisma-generate.mjs")], { stdio: "inherit", cwd: root, env });
  if (generated.status !== 0) process.exit(generated.status ?? 1);
}
if (!existsSync(path.join(root, process.env.NEXT_DIST_DIR || ".next", "BUILD_ID"))) {
  console.log("No production build yet: running `next build` once…");
  const nextBin = path.join(root, "node_modules/next/dist/bin/next");
  const built = spawnSync(process.execPath, [nextBin, "build"], { stdio: "inherit", cwd: root, env });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

const server = spawn(process.execPath, ["--import", "tsx", path.join(root, "server.ts")], { stdio: "inherit", cwd: root, env });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
