import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseDocument } from "yaml";
import { createDatabase, type Database, type DbKind } from "../lib/db/create-database";
import { migrate } from "../lib/db/migrate";
import { createEventBus } from "../lib/events/event-bus";
import pino from "pino";
import { createLogger } from "../lib/log";
import { logRuns } from "../lib/ops/log-runs";
import { createMetrics } from "../lib/ops/metrics";
import { observeRuns } from "../lib/ops/observe-runs";
import { createSyncEngine } from "../lib/sync/engine/sync-engine";
import { createSqlSyncStorage } from "../lib/sync/storage/sql-sync-storage";
import { normalizeTask } from "../lib/tasks/task-schema";
import { createScheduleStore, parseSchedule } from "../lib/yaml";
import { createPostgresDatabase } from "../tests/_support/databases";
import { sampleSchedule } from "./sample-schedule";
import { stats, timed, timedWithCpu, type Stats } from "./stats";

export interface EngineBenchOptions {
  db: DbKind;
  size: number;
  /** Repeats of each sync measurement (median reported). */
  runs: number;
  /** Single-task API edits measured. */
  edits: number;
  log: (line: string) => void;
}

export interface EngineBenchResult {
  db: DbKind;
  size: number;
  fileBytes: number;
  /** `yaml` parseDocument + toJS of the file (no validation). */
  parseFloor: Stats;
  /** One `SELECT * FROM tasks` through the driver. */
  selectFloor: Stats;
  /** One `INSERT … SELECT FROM unnest(…)` of every task through the driver, into an empty table. */
  insertFloor: Stats;
  /** Sync into an empty database with a fresh store (the file is parsed). */
  firstImport: Stats;
  /** Bidirectional sync with nothing to do, file unchanged since the last run (the usual cron tick). */
  noopSync: Stats;
  /** The same with a fresh store, so the file is parsed (first sync after a start). */
  noopSyncColdFile: Stats;
  /** `engine.writeTask` of one task (DB + YAML write-through), in process. */
  apiEdit: Stats;
  /** The store alone: one locked single-task write to the file. */
  yamlWrite: Stats;
  /** This process's CPU time for the same samples (see timedWithCpu). */
  cpu: { firstImport: Stats; noopSync: Stats; noopSyncColdFile: Stats; apiEdit: Stats; yamlWrite: Stats };
}

const TABLES = "sync_revision_head, sync_revision_changes, sync_revisions, sync_changes, sync_runs, conflicts, sync_base, tasks";
/** 50,000 tasks make an 11 MiB file: above the default limit (YAML_MAX_BYTES, 5 MiB), so raised here. */
export const BENCH_MAX_BYTES = 64 * 1024 * 1024;

/**
 * The sync engine in this process against a fresh database of `db` kind and a file of `size`
 * tasks: each measured operation with its floor, measured in the same run.
 */
export async function engineBench(opts: EngineBenchOptions): Promise<EngineBenchResult> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "schedule-sync-bench-"));
  const yamlPath = path.join(dir, "schedule_config.yml");
  const text = sampleSchedule(opts.size);
  await fs.writeFile(yamlPath, text);
  const { db, drop } = await openDatabase(opts.db, dir);
  const newEngine = () => {
    const fileStore = createScheduleStore({ path: yamlPath, backupDir: path.join(dir, "backups"), maxBytes: BENCH_MAX_BYTES });
    // Composed as createCore composes it: runs and lock waits observed, each run logged as a JSON
    // line and counted in the metrics (issue #21), so their cost is in every figure.
    const { storage, store, observer } = observeRuns(createSqlSyncStorage(db), fileStore);
    const engine = observer.watchWrites(createSyncEngine({ storage, store, events: createEventBus(), autoMerge: true, log: () => undefined }));
    logRuns(observer, createLogger({ level: "info", format: "json", destination: pino.destination({ dest: "/dev/null", sync: true }) }));
    createMetrics({ db, sync: engine, observer, defaultMetrics: false });
    return { store: fileStore, engine };
  };
  const label = `${opts.db} ${opts.size}`;
  const cpu: Record<keyof EngineBenchResult["cpu"], number[]> = { firstImport: [], noopSync: [], noopSyncColdFile: [], apiEdit: [], yamlWrite: [] };
  /** Times `fn`, keeping its CPU time under `key`. */
  const sample = async (key: keyof EngineBenchResult["cpu"], fn: () => Promise<unknown>) => {
    const { wall, cpu: used } = await timedWithCpu(fn);
    cpu[key].push(used);
    return wall;
  };
  try {
    const columns = unnestColumns(text);
    const parseFloor: number[] = [];
    const insertFloor: number[] = [];
    const firstImport: number[] = [];
    for (let i = 0; i < opts.runs; i++) {
      parseFloor.push(await timed(() => parseDocument(text, { uniqueKeys: false }).toJS()));
      await db.exec(`TRUNCATE ${TABLES}`);
      insertFloor.push(await timed(() => insertUnnest(db, columns)));
      await db.exec(`TRUNCATE ${TABLES}`);
      const { engine } = newEngine();
      let created = 0;
      firstImport.push(await sample("firstImport", async () => (created = (await engine.run({ trigger: "manual" })).counts.toDb.create)));
      if (created !== opts.size) throw new Error(`${label}: the import created ${created} tasks`);
      opts.log(`${label}: import ${Math.round(firstImport.at(-1)!)} ms (parse floor ${Math.round(parseFloor.at(-1)!)} ms, insert floor ${Math.round(insertFloor.at(-1)!)} ms)`);
    }

    const selectFloor: number[] = [];
    for (let i = 0; i < opts.runs; i++) selectFloor.push(await timed(() => db.query("SELECT * FROM tasks")));

    const { engine, store } = newEngine();
    await engine.run({ trigger: "manual" }); // reads the file once
    const noopSync: number[] = [];
    for (let i = 0; i < opts.runs * 2; i++) {
      let changed = -1;
      noopSync.push(await sample("noopSync", async () => (changed = (await engine.run({ trigger: "manual" })).changedTaskIds.length)));
      if (changed !== 0) throw new Error(`${label}: a no-op sync changed ${changed} tasks`);
    }
    const noopSyncColdFile: number[] = [];
    for (let i = 0; i < opts.runs; i++) noopSyncColdFile.push(await sample("noopSyncColdFile", () => newEngine().engine.run({ trigger: "manual" })));
    opts.log(`${label}: no-op ${Math.round(Math.min(...noopSync))}-${Math.round(Math.max(...noopSync))} ms, cold file ${noopSyncColdFile.map(Math.round).join("/")} ms`);

    const apiEdit: number[] = [];
    for (let i = 0; i < opts.edits; i++) {
      const id = `task-${(i * 7919) % opts.size}`;
      apiEdit.push(await sample("apiEdit", () => engine.writeTask({ kind: "patch", id, patch: (task) => ({ ...task, name: `Edited ${i}` }) })));
    }
    const yamlWrite: number[] = [];
    const parsed = parseSchedule(await fs.readFile(yamlPath), { maxBytes: BENCH_MAX_BYTES });
    if (!parsed.ok) throw new Error(`${label}: the file no longer parses`);
    for (let i = 0; i < opts.edits; i++) {
      const id = `task-${(i * 397 + 1) % opts.size}`;
      const task = normalizeTask({ ...parsed.tasks.get(id)!, description: `Written ${i}` });
      yamlWrite.push(await sample("yamlWrite", () => store.write({ upsert: [task], metadata: { sync_source: "db" } })));
    }
    opts.log(`${label}: API edit median ${stats(apiEdit).median} ms, store write median ${stats(yamlWrite).median} ms`);

    return {
      db: opts.db,
      size: opts.size,
      fileBytes: Buffer.byteLength(text),
      parseFloor: stats(parseFloor),
      selectFloor: stats(selectFloor),
      insertFloor: stats(insertFloor),
      firstImport: stats(firstImport),
      noopSync: stats(noopSync),
      noopSyncColdFile: stats(noopSyncColdFile),
      apiEdit: stats(apiEdit),
      yamlWrite: stats(yamlWrite),
      cpu: {
        firstImport: stats(cpu.firstImport),
        noopSync: stats(cpu.noopSync),
        noopSyncColdFile: stats(cpu.noopSyncColdFile),
        apiEdit: stats(cpu.apiEdit),
        yamlWrite: stats(cpu.yamlWrite),
      },
    };
  } finally {
    await drop();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** A fresh, migrated database: a new PostgreSQL database, or PGlite in a folder (as the server keeps it). */
async function openDatabase(kind: DbKind, dir: string): Promise<{ db: Database; drop(): Promise<void> }> {
  if (kind === "pglite") {
    const db = await createDatabase({ pgliteDir: path.join(dir, "pglite") });
    await migrate(db);
    return { db, drop: () => db.close() };
  }
  const created = await createPostgresDatabase();
  const db = await createDatabase({ databaseUrl: created.url });
  await migrate(db);
  return {
    db,
    drop: async () => {
      await db.close();
      await created.drop();
    },
  };
}

/** The tasks of the file as parallel arrays, made before the insert floor is timed. */
function unnestColumns(text: string): unknown[] {
  const parsed = parseSchedule(text, { maxBytes: BENCH_MAX_BYTES });
  if (!parsed.ok) throw new Error(`sample does not parse: ${parsed.issues[0]?.message}`);
  const tasks = [...parsed.tasks.values()];
  return [
    tasks.map((task) => task.id),
    tasks.map((task) => task.name),
    tasks.map((task) => task.schedule),
    tasks.map((task) => task.timezone),
    tasks.map((task) => task.command),
    tasks.map((task) => task.enabled),
    tasks.map((task) => task.description),
    tasks.map((task) => `{${task.tags.map((tag) => JSON.stringify(tag)).join(",")}}`),
  ];
}

/** The insert floor: every task in one statement, values as parallel arrays, through the driver. */
async function insertUnnest(db: Database, columns: unknown[]): Promise<void> {
  await db.query(
    `INSERT INTO tasks (id, name, schedule, timezone, command, enabled, description, tags, source)
     SELECT id, name, schedule, timezone, command, enabled, description, tags::text[], 'yaml'
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bool[], $7::text[], $8::text[])
       AS t(id, name, schedule, timezone, command, enabled, description, tags)`,
    columns,
  );
}
