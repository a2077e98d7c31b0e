import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Database, DbKind } from "@/lib/db/create-database";
import { createEventBus } from "@/lib/events/event-bus";
import type { EventName, EventPayload } from "@/lib/events/events";
import { createSyncEngine } from "@/lib/sync/engine/sync-engine";
import { createSqlSyncStorage } from "@/lib/sync/storage/sql-sync-storage";
import { taskOf } from "@/lib/tasks/stored-task";
import type { Task } from "@/lib/tasks/task-schema";
import { createScheduleStore, parseSchedule } from "@/lib/yaml";
import { openTestDatabase } from "./databases";

export interface Harness {
  db: Database;
  dir: string;
  yamlPath: string;
  engine: ReturnType<typeof createSyncEngine>;
  events: { name: EventName; payload: EventPayload<EventName> }[];
  writeYaml(text: string): Promise<void>;
  readYaml(): Promise<string>;
  yamlTasks(): Promise<Map<string, Task>>;
  dbTasks(): Promise<Map<string, Task>>;
  baseTasks(): Promise<Map<string, Task>>;
  close(): Promise<void>;
}

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

const TABLES = ["sync_changes", "sync_runs", "conflicts", "sync_base", "tasks"];

/** The real engine over a real (emptied) database, a real file in a temp folder, and an event recorder. */
export async function createHarness(db: Database, options: { autoMerge?: boolean } = {}): Promise<Harness> {
  await db.exec(`TRUNCATE ${TABLES.join(", ")}`);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "schedule-sync-engine-"));
  const yamlPath = path.join(dir, "schedule_config.yml");
  const store = createScheduleStore({ path: yamlPath, backupDir: path.join(dir, "backups") });
  const bus = createEventBus();
  const events: Harness["events"] = [];
  bus.subscribeAll((name, payload) => events.push({ name, payload }));
  const storage = createSqlSyncStorage(db);
  const engine = createSyncEngine({ storage, store, events: bus, autoMerge: options.autoMerge ?? true, log: () => undefined });
  const harness: Harness = {
    db,
    dir,
    yamlPath,
    engine,
    events,
    writeYaml: (text) => fs.writeFile(yamlPath, text),
    readYaml: () => fs.readFile(yamlPath, "utf8"),
    yamlTasks: async () => {
      const parsed = parseSchedule(await fs.readFile(yamlPath, "utf8"));
      if (!parsed.ok) throw new Error(`invalid YAML: ${parsed.issues[0].message}`);
      return parsed.tasks;
    },
    dbTasks: async () => new Map([...(await storage.reads.loadTasks())].map(([id, row]) => [id, taskOf(row)])),
    baseTasks: () => storage.reads.loadBase(),
    close: async () => {
      await engine.idle();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
  return harness;
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
