import { defineConfig } from "vitest/config";
import os from "node:os";
import path from "node:path";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    // Playwright's e2e/*.spec.ts must not be picked up here.
    include: ["tests/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Most suites wait on child processes (servers, PostgreSQL, git) more than they compute:
    // vitest's default of one worker less than the cores leaves one of two cores idle.
    maxWorkers: Math.max(2, os.availableParallelism()),
  },
});
