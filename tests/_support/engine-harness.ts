import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Database, DbKind } from "@/lib/db/create-database";
import type { EventName, EventPayload } from "@/lib/events/events";
import { createEventBus, type EventBus } from "@/lib/events/event-bus";
import { createSyncEngine, type SyncEngine } from "@/lib/sync/engine/sync-engine";
import { loadConfig } from "@/lib/config/env";
import { createCore } from "@/lib/core/create-core";
import { createMemorySyncStorage } from "@/lib/sync/storage/memory-sync-storage";
import type { ConflictRecord, RunDetail, SyncStorage, SyncTransaction } from "@/lib/sync/storage/sync-storage";
import { taskOf } from "@/lib/tasks/stored-task";
import { normalizeTask, type Task } from "@/lib/tasks/task-schema";
import { createMemoryScheduleStore, createScheduleStore, parseSchedule } from "@/lib/yaml";
import { DB_KINDS, openTestDatabase } from "./databases";

/** What an engine test sees of one engine, whichever storage and file it runs on. */
export interface EngineHarness {
  kind: EngineKind;
  engine: SyncEngine;
  storage: SyncStorage;
  events: { name: EventName; payload: EventPayload<EventName> }[];
  writeYaml(text: string): Promise<void>;
  readYaml(): Promise<string>;
  removeYaml(): Promise<void>;
  yamlTasks(): Promise<Map<string, Task>>;
  dbTasks(): Promise<Map<string, Task>>;
  baseTasks(): Promise<Map<string, Task>>;
  openConflicts(): Promise<ConflictRecord[]>;
  /** Newest first. */
  runs(): Promise<RunDetail[]>;
  /** Changes a task's row behind the engine's back (SQL typed by hand, another program). */
  updateDbTask(id: string, fields: Partial<Omit<Task, "id">>): Promise<void>;
  insertDbTask(task: Pick<Task, "id" | "name" | "schedule" | "command">): Promise<void>;
  deleteDbTask(id: string): Promise<void>;
  clearBase(): Promise<void>;
  /** Another engine on the same storage and file, with nothing settled (what a full run would see). */
  otherEngine(): SyncEngine;
  close(): Promise<void>;
}

/** The SQL harness: a real database and a real file in a temp folder. */
export interface Harness extends EngineHarness {
  db: Database;
  dir: string;
  yamlPath: string;
}

export type EngineKind = "memory" | DbKind;
/** The in-memory adapters first: the same engine tests, in milliseconds. */
export const ENGINE_KINDS: readonly EngineKind[] = ["memory", ...DB_KINDS];

/**
 * One database per suite (opening PGlite or creating a PostgreSQL database costs
 * about a second); each test gets it emptied through `createHarness`.
 */
export function useSuiteDatabase(kind: DbKind) {
  let opened: Awaited<ReturnType<typeof openTestDatabase>> | null = null;
  return {
    open: async () => {
      opened = await openTestDatabase(kind);
      return opened.db;
    },
    get db(): Database {
      if (!opened) throw new Error("suite database not opened");
      return opened.db;
    },
    drop: async () => opened?.drop(),
  };
}

/** An engine suite of any kind: `open` in beforeAll, `harness()` per test, `drop` in afterAll. */
export function useEngineSuite(kind: EngineKind) {
  const suite = kind === "memory" ? null : useSuiteDatabase(kind);
  return {
    open: async () => {
      await suite?.open();
    },
    harness: (options: { autoMerge?: boolean } = {}): Promise<EngineHarness> => (suite ? createHarness(suite.db, options) : createMemoryHarness(options)),
    drop: async () => suite?.drop(),
  };
}

const SYNC_TABLES = ["sync_revision_head", "sync_revision_changes", "sync_revisions", "sync_changes", "sync_runs", "conflicts", "sync_base", "tasks"];

/** Empties everything the engine keeps (tasks, base, conflicts, runs, revisions): a fresh start on a shared database. */
export async function resetSyncTables(db: Pick<Database, "exec">): Promise<void> {
  await db.exec(`TRUNCATE ${SYNC_TABLES.join(", ")}`);
}

function recorder(bus: EventBus): EngineHarness["events"] {
  const events: EngineHarness["events"] = [];
  bus.subscribeAll((name, payload) => events.push({ name, payload }));
  return events;
}

/** Reads every side through the storage port, the same way for each kind. */
function storageReads(storage: SyncStorage): Pick<EngineHarness, "dbTasks" | "baseTasks" | "openConflicts" | "runs"> {
  return {
    dbTasks: async () => new Map([...(await storage.reads.loadTasks())].map(([id, row]) => [id, taskOf(row)])),
    baseTasks: () => storage.reads.loadBase(),
    openConflicts: async () => [...(await storage.reads.loadOpenConflicts()).values()].sort((a, b) => a.taskId.localeCompare(b.taskId)),
    runs: async () => {
      const runs = await storage.reads.listRuns({ limit: 1000 });
      return Promise.all(runs.map(async (run) => (await storage.reads.getRun(run.id))!));
    },
  };
}

function parsedTasks(text: string): Map<string, Task> {
  const parsed = parseSchedule(text);
  if (!parsed.ok) throw new Error(`invalid YAML: ${parsed.issues[0].message}`);
  return parsed.tasks;
}

/** The real engine over a real (emptied) database, a real file in a temp folder, and an event recorder. */
export async function createHarness(db: Database, options: { autoMerge?: boolean } = {}): Promise<Harness> {
  await resetSyncTables(db);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "schedule-sync-engine-"));
  const yamlPath = path.join(dir, "schedule_config.yml");
  // The production wiring, over the suite's database and a file in the temp folder.
  const config = loadConfig({ DATA_DIR: dir, SCHEDULE_CONFIG_PATH: yamlPath, SYNC_AUTO_MERGE: String(options.autoMerge ?? true) }, dir);
  const core = await createCore(config, { db, log: () => undefined });
  const { storage, events: bus, sync: engine } = core;
  const events = recorder(bus);
  const newEngine = (other: EventBus) =>
    createSyncEngine({ storage, store: createScheduleStore({ path: yamlPath, backupDir: path.join(dir, "backups") }), events: other, autoMerge: config.autoMerge, log: () => undefined });
  const sql = (text: string, ...params: unknown[]) => db.prisma.$executeRawUnsafe(text, ...params);
  return {
    kind: db.kind,
    db,
    dir,
    yamlPath,
    engine,
    storage,
    events,
    writeYaml: (text) => fs.writeFile(yamlPath, text),
    readYaml: () => fs.readFile(yamlPath, "utf8"),
    removeYaml: () => fs.rm(yamlPath),
    yamlTasks: async () => parsedTasks(await fs.readFile(yamlPath, "utf8")),
    ...storageReads(storage),
    updateDbTask: async (id, fields) => {
      for (const [column, value] of Object.entries(fields)) await sql(`UPDATE tasks SET ${column} = $1 WHERE id = $2`, value, id);
    },
    insertDbTask: async (task) => {
      await sql(`INSERT INTO tasks (id, name, schedule, command) VALUES ($1, $2, $3, $4)`, task.id, task.name, task.schedule, task.command);
    },
    deleteDbTask: async (id) => {
      await sql(`DELETE FROM tasks WHERE id = $1`, id);
    },
    clearBase: async () => {
      await sql(`DELETE FROM sync_base`);
    },
    otherEngine: () => newEngine(createEventBus()),
    close: async () => {
      await core.close();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/** The same engine over the in-memory storage and file store. */
export async function createMemoryHarness(options: { autoMerge?: boolean } = {}): Promise<EngineHarness> {
  const storage = createMemorySyncStorage();
  const store = createMemoryScheduleStore();
  const newEngine = (bus: EventBus) => createSyncEngine({ storage, store, events: bus, autoMerge: options.autoMerge ?? true, log: () => undefined });
  const bus = createEventBus();
  const events = recorder(bus);
  const engine = newEngine(bus);
  const text = () => {
    const current = store.text();
    if (current === null) throw new Error("no schedule file");
    return current;
  };
  const row = async (tx: SyncTransaction, id: string) => (await tx.loadTasks([id])).get(id);
  return {
    kind: "memory",
    engine,
    storage,
    events,
    writeYaml: async (next) => store.setText(next),
    readYaml: async () => text(),
    removeYaml: async () => store.setText(null),
    yamlTasks: async () => parsedTasks(text()),
    ...storageReads(storage),
    updateDbTask: (id, fields) =>
      storage.outsideWrite(async (tx) => {
        const current = await row(tx, id);
        if (current) await tx.upsertTasks([{ ...taskOf(current), ...fields }], current.source);
      }),
    insertDbTask: (task) => storage.outsideWrite((tx) => tx.upsertTasks([normalizeTask(task)], "api")),
    deleteDbTask: (id) => storage.outsideWrite((tx) => tx.deleteTasks([id])),
    clearBase: () =>
      storage.outsideWrite(async (tx) => {
        await tx.deleteBase([...(await tx.loadBase()).keys()]);
      }),
    otherEngine: () => newEngine(createEventBus()),
    close: () => engine.close(),
  };
}

/** A YAML document with these task bodies, as a person would write it. */
export function yamlOf(tasks: Record<string, Record<string, unknown>>, header = "# schedule\n"): string {
  const lines = [header.trimEnd(), "version: 1", "tasks:"];
  if (Object.keys(tasks).length === 0) lines[2] = "tasks: {}";
  for (const [id, body] of Object.entries(tasks)) {
    lines.push(`  ${id}:`);
    for (const [key, value] of Object.entries(body)) lines.push(`    ${key}: ${JSON.stringify(value)}`);
  }
  return `${lines.join("\n")}\n`;
}

export const backup = { name: "Daily backup", schedule: "0 2 * * *", command: "/opt/backup.sh", tags: ["ops"] };
export const health = { name: "Health check", schedule: "0 * * * *", command: "curl -f localhost" };
export const report = { name: "Weekly report", schedule: "0 9 * * 1", command: "report.sh", timezone: "Europe/Berlin" };
