// Entry point: one port for Next.js and Socket.IO, configured from the environment (README).
import { existsSync } from "node:fs";
import path from "node:path";
import { loadConfig } from "./lib/config/env";
import { startApp } from "./lib/server/start-app";

/**
 * The project folder: this file's own under tsx (`npm run dev`), the one above the build
 * folder for the bundle `npm run build` makes of it.
 */
function projectDir(from: string): string {
  for (let dir = from; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "next.config.mjs"))) return dir;
  }
  return from;
}

const dev = process.argv.includes("--dev");
process.env.NEXT_TELEMETRY_DISABLED ??= "1";

try {
  const app = await startApp({ config: loadConfig(), dev, dir: projectDir(import.meta.dirname) });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    await app.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
} catch (error) {
  console.error(`schedule-sync failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
