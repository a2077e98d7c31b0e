import path from "node:path";
import type { AppConfig } from "../config/env";
import { createDatabase, type Database } from "../db/create-database";
import { migrate } from "../db/migrate";
import { createEventBus, type EventBus } from "../events/event-bus";
import { createSyncEngine, type SyncEngine } from "../sync/engine/sync-engine";
import { createSqlSyncStorage } from "../sync/storage/sql-sync-storage";
import { DEFAULT_REVISION_LIMITS, type SyncStorage } from "../sync/storage/sync-storage";
import { createScheduleStore, type ScheduleStore } from "../yaml";

/** The parts every way of running schedule-sync shares: the server, the CLI and the tests. */
export interface Core {
  config: AppConfig;
  db: Database;
  storage: SyncStorage;
  store: ScheduleStore;
  events: EventBus;
  sync: SyncEngine;
  /** Names of the migrations applied while opening. */
  migrated: string[];
  close(): Promise<void>;
}

export interface CoreOptions {
  /** The migrations folder; default prisma/migrations next to lib/ (the bundled server passes its own). */
  migrationsDir?: string;
  log?: (level: "info" | "warn" | "error", message: string) => void;
  /** A database opened and migrated by the caller (tests share one per suite); it stays open on close. */
  db?: Database;
}

/**
 * The one composition root: opens the database (PostgreSQL with DATABASE_URL, else PGlite under
 * DATA_DIR) and applies pending migrations, then wires the YAML store, the storage adapter, the
 * event bus and the sync engine. The server adds HTTP, Socket.IO, the watcher and cron around it.
 */
export async function createCore(config: AppConfig, options: CoreOptions = {}): Promise<Core> {
  const log = options.log ?? ((level, message) => console[level](message));
  const db = options.db ?? (await createDatabase({ databaseUrl: config.databaseUrl, pgliteDir: path.join(config.dataDir, "pglite") }));
  let migrated: string[] = [];
  try {
    if (!options.db) migrated = await migrate(db, options.migrationsDir);
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
  const store = createScheduleStore({
    path: config.scheduleConfigPath,
    backupDir: path.join(config.dataDir, "backups"),
    keepBackups: config.yamlBackups,
    maxBytes: config.yamlMaxBytes,
    stableMs: config.stableMs,
    logger: { warn: (message) => log("warn", message) },
  });
  const events = createEventBus();
  const storage = createSqlSyncStorage(db);
  const sync = createSyncEngine({
    storage,
    store,
    events,
    autoMerge: config.autoMerge,
    deleteGuard: config.deleteGuard,
    followUps: config.syncWatch,
    revisions: { ...DEFAULT_REVISION_LIMITS, keep: config.revisions },
    log: (level, message) => log(level, `[sync] ${message}`),
  });
  return {
    config,
    db,
    storage,
    store,
    events,
    sync,
    migrated,
    close: async () => {
      await sync.close();
      if (!options.db) await db.close();
    },
  };
}
