import path from "node:path";
import type { AppConfig } from "../config/env";
import { createDatabase, type Database } from "../db/create-database";
import { migrate } from "../db/migrate";
import { createEventBus, type EventBus } from "../events/event-bus";
import { observeRuns, type RunObserver } from "../ops/observe-runs";
import { createSyncEngine, type SyncEngine } from "../sync/engine/sync-engine";
import { createSqlSyncStorage } from "../sync/storage/sql-sync-storage";
import { DEFAULT_REVISION_LIMITS, type SyncStorage } from "../sync/storage/sync-storage";
import { createScheduleStore, type ScheduleStore } from "../yaml";
import { prepareWorkTree } from "../git/git-repo";
import { createGitSync, type GitSync } from "../git/git-sync";

/** The parts every way of running schedule-sync shares: the server, the CLI and the tests. */
export interface Core {
  config: AppConfig;
  db: Database;
  storage: SyncStorage;
  store: ScheduleStore;
  events: EventBus;
  sync: SyncEngine;
  /** Every recorded run and lock wait, for logs and metrics (lib/ops/observe-runs.ts). */
  observer: RunObserver;
  /** Git mode (GIT_SYNC=on): commits, fetches, merges and pushes the file; null otherwise. Started by the server. */
  git: GitSync | null;
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
  // Git mode: the file lives in a work tree (cloned from GIT_REMOTE into DATA_DIR/git when needed).
  let work: Awaited<ReturnType<typeof prepareWorkTree>> | null = null;
  if (config.git.enabled) {
    try {
      work = await prepareWorkTree({
        schedulePath: config.scheduleConfigPath,
        remote: config.git.remote,
        branch: config.git.branch,
        cloneDir: path.join(config.dataDir, "git"),
        file: config.git.file,
      });
    } catch (error) {
      if (!options.db) await db.close().catch(() => undefined);
      throw error;
    }
    config = { ...config, scheduleConfigPath: work.schedulePath };
  }
  const fileStore = createScheduleStore({
    path: config.scheduleConfigPath,
    backupDir: path.join(config.dataDir, "backups"),
    keepBackups: config.yamlBackups,
    maxBytes: config.yamlMaxBytes,
    stableMs: config.stableMs,
    logger: { warn: (message) => log("warn", message) },
  });
  const events = createEventBus();
  const observed = observeRuns(createSqlSyncStorage(db), fileStore);
  const { storage, observer } = observed;
  const git = work ? createGitSync({ repo: work.repo, config: config.git, store: observed.store, storage, events, log: (level, message) => log(level, `[git] ${message}`) }) : null;
  const store: ScheduleStore = git?.store ?? observed.store;
  const engine = createSyncEngine({
    storage,
    store,
    events,
    autoMerge: config.autoMerge,
    deleteGuard: config.deleteGuard,
    followUps: config.syncWatch,
    revisions: { ...DEFAULT_REVISION_LIMITS, keep: config.revisions },
    log: (level, message) => log(level, `[sync] ${message}`),
  });
  const sync = observer.watchWrites(engine);
  git?.attach(sync);
  return {
    config,
    db,
    storage,
    store,
    events,
    sync,
    observer,
    git,
    migrated,
    close: async () => {
      await git?.close();
      await sync.close();
      if (!options.db) await db.close();
    },
  };
}
