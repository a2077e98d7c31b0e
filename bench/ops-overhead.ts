/**
 * `npx tsx bench/ops-overhead.ts`: what issue #21's logging and metrics add to each request and
 * each sync run, measured in this process so a busy machine cannot hide it (bench/README.md).
 *
 * - a request: the front door's observer (one pino JSON line, to /dev/null, and one histogram
 *   observation), per call;
 * - a run: a run's record through the observed storage against the bare one (medians of
 *   `--rounds`, alternated);
 * - a scrape of the metrics at 10,000 tasks on PostgreSQL (127.0.0.1:5432, TEST_POSTGRES_URL).
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { loadConfig } from "../lib/config/env";
import { createCore } from "../lib/core/create-core";
import { createEventBus } from "../lib/events/event-bus";
import { createLogger } from "../lib/log";
import { logRuns } from "../lib/ops/log-runs";
import { createMetrics } from "../lib/ops/metrics";
import { observeRuns } from "../lib/ops/observe-runs";
import { createRequestObserver } from "../lib/ops/request-log";
import { randomUUID } from "node:crypto";
import type { SyncEngine } from "../lib/sync/engine/sync-engine";
import type { SyncStorage } from "../lib/sync/storage/sync-storage";
import { createMemorySyncStorage } from "../lib/sync/storage/memory-sync-storage";
import { createMemoryScheduleStore } from "../lib/yaml";
import { createPostgresDatabase } from "../tests/_support/databases";
import { sampleSchedule } from "./sample-schedule";

const rounds = Number(process.argv.find((a) => a.startsWith("--rounds="))?.split("=")[1] ?? 5);
const devNull = () => createLogger({ level: "info", format: "json", destination: pino.destination({ dest: "/dev/null", sync: true }) });
const noDb = { query: async () => [] as never[] };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// 1. Per request.
{
  const fakeSync = { status: () => ({ yaml: { valid: true } }), drift: async () => ({ differing: new Map() }) } as unknown as SyncEngine;
  const observer = observeRuns(createMemorySyncStorage(), createMemoryScheduleStore()).observer;
  const metrics = createMetrics({ db: noDb, sync: fakeSync, observer, defaultMetrics: false });
  const observe = createRequestObserver({ log: devNull(), metrics });
  const entry = { method: "PATCH", route: "/api/tasks/:id", area: "api" as const, status: 200, durationMs: 12.34, principal: { kind: "admin_token" as const, role: "admin" as const }, aborted: false, passed: true };
  for (let i = 0; i < 20_000; i++) observe(entry); // warm up
  const n = 200_000;
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) observe(entry);
  console.log(`request log line + metric: ${(Number(process.hrtime.bigint() - start) / n / 1000).toFixed(2)} µs per request`);
  const scrapeStart = process.hrtime.bigint();
  for (let i = 0; i < 100; i++) await metrics.scrape();
  console.log(`scrape of the process's own series (no database): ${(Number(process.hrtime.bigint() - scrapeStart) / 100 / 1e6).toFixed(2)} ms`);
}

// 2. Per run: a run's record written through the observed storage (wrapped transaction, the
// run log line, the metrics' counters and histogram) against the same through the bare
// storage; the difference is what observing adds to every run, whatever the number of tasks.
{
  const run = (i: number) => ({
    id: randomUUID(),
    trigger: "api",
    direction: "bidirectional",
    status: "success" as const,
    counts: { total: 10_000, inSync: 9_999, toDb: { create: 0, update: 1, delete: 0 }, toYaml: { create: 0, update: 1, delete: 0 }, merged: 0, conflicts: 0 },
    conflicts: 0,
    error: null,
    yamlChecksum: `c${i}`,
    startedAt: new Date(),
    durationMs: 12,
  });
  const fakeSync = { status: () => ({ yaml: { valid: true } }), drift: async () => ({ differing: new Map() }) } as unknown as SyncEngine;
  // Fresh storages each round: the memory adapter's run history grows with every record.
  const observedStorage = () => {
    const wrapped = observeRuns(createMemorySyncStorage(), createMemoryScheduleStore());
    logRuns(wrapped.observer, devNull());
    createMetrics({ db: noDb, sync: fakeSync, observer: wrapped.observer, defaultMetrics: false });
    return wrapped.storage;
  };
  const n = 1_000;
  const timeRuns = async (storage: SyncStorage) => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await storage.transaction((tx) => tx.insertRun(run(i)));
    return Number(process.hrtime.bigint() - start) / n / 1000;
  };
  const samples = { bare: [] as number[], observed: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    samples.bare.push(await timeRuns(createMemorySyncStorage()));
    samples.observed.push(await timeRuns(observedStorage()));
  }
  const a = median(samples.bare);
  const b = median(samples.observed);
  console.log(`a recorded run: ${a.toFixed(2)} µs bare, ${b.toFixed(2)} µs observed, logged and counted (+${(b - a).toFixed(2)} µs per run)`);
}

// 3. A scrape of /metrics' registry on PostgreSQL with 10,000 synced tasks: the gauges read
// conflicts, the last successful run and the task count, and the engine's drift (free while settled).
{
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "schedule-sync-ops-bench-"));
  const yamlPath = path.join(dir, "schedule_config.yml");
  await fs.writeFile(yamlPath, sampleSchedule(10_000));
  const database = await createPostgresDatabase();
  try {
    const config = loadConfig({ NODE_ENV: "production", DATABASE_URL: database.url, DATA_DIR: dir, SCHEDULE_CONFIG_PATH: yamlPath }, dir);
    const core = await createCore(config, { log: () => undefined });
    await core.sync.run({ trigger: "startup" });
    const metrics = createMetrics({ db: core.db, sync: core.sync, observer: core.observer });
    for (let i = 0; i < 5; i++) await metrics.scrape();
    const samples: number[] = [];
    for (let i = 0; i < 30; i++) {
      const start = process.hrtime.bigint();
      await metrics.scrape();
      samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    console.log(`GET /metrics' registry at 10,000 tasks on PostgreSQL: ${median(samples).toFixed(2)} ms median (default metrics included)`);
    metrics.close();
    await core.close();
  } finally {
    await database.drop();
    await fs.rm(dir, { recursive: true, force: true });
  }
}
