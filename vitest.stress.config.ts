import { defineConfig } from "vitest/config";
import os from "node:os";
import path from "node:path";

/**
 * `npm run test:stress`: the long reliability runs of issue #7 (tests/reliability/*.stress.ts):
 * conflicts under load with hundreds of tasks, crash loops, the fuzz properties and the
 * convergence simulation at length, a file per core (at least two) at a time; then, alone (STRESS_PG_RESTART=1),
 * PostgreSQL restarted mid-sync, since restarting the cluster would break every other file's
 * connections.
 */
const restart = "tests/reliability/pg-restart.stress.ts";
const alone = process.env.STRESS_PG_RESTART === "1";
export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: alone ? [restart] : ["tests/reliability/**/*.stress.ts"],
    exclude: alone ? [] : [restart],
    // Leaves PostgreSQL running when the run ends, even if pg-restart failed half-way.
    globalSetup: ["tests/reliability/_stress-global-setup.ts"],
    testTimeout: 15 * 60_000,
    hookTimeout: 3 * 60_000,
    pool: "forks",
    maxWorkers: alone ? 1 : Math.max(2, os.availableParallelism()),
  },
});
