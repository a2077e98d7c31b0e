import { defineConfig } from "vitest/config";
import path from "node:path";

/**
 * `npm run test:stress`: the long reliability runs of issue #7 (tests/reliability/*.stress.ts):
 * PostgreSQL restarted mid-sync, conflicts under load with hundreds of tasks, crash loops,
 * and the fuzz properties with many more runs. One file at a time: one of them restarts
 * the PostgreSQL cluster.
 */
export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["tests/reliability/**/*.stress.ts"],
    // Leaves PostgreSQL running when the run ends, even if pg-restart failed half-way.
    globalSetup: ["tests/reliability/_stress-global-setup.ts"],
    testTimeout: 15 * 60_000,
    hookTimeout: 3 * 60_000,
    pool: "forks",
    fileParallelism: false,
  },
});
