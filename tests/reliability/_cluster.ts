import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { DbKind } from "@/lib/db/create-database";
import { startAppProcess, TEST_TOKEN, type AppProcess } from "../_support/app-process";
import { createPostgresDatabase } from "../_support/databases";
import { snapshot, type SqlReader, type SyncSnapshot } from "../_support/invariants";
import { apiSnapshot, pgliteReader, pgReader, startWorker, workerResult, type Worker } from "./_app";

/**
 * Real servers over one schedule file: on PostgreSQL several instances sharing the database
 * and the file (README "Running several instances"), on PGlite the one server that owns its folder. Client and
 * editor processes talk to them.
 */
export interface Cluster {
  kind: DbKind;
  dir: string;
  yamlPath: string;
  apps: AppProcess[];
  /** A direct reader (PostgreSQL only; PGlite's folder belongs to its server while it runs). */
  reader: (SqlReader & { close(): Promise<void> }) | null;
  /** Full snapshot (with base) on PostgreSQL; through the API on PGlite. */
  snapshot(): Promise<SyncSnapshot>;
  /** Writes a worker config file and starts the worker. */
  worker(script: string, config: Record<string, unknown>): Promise<Worker>;
  /** The app a client number talks to. */
  app(n: number): AppProcess;
  /** Stops every server; on PGlite returns a reader on its folder (close it after use). */
  stop(): Promise<(SqlReader & { close(): Promise<void> }) | null>;
  /** Deletes the temp folder (after stop and after any reader is closed). */
  remove(): Promise<void>;
}

export async function startCluster(kind: DbKind, options: { instances?: number; yaml?: string; env?: Record<string, string> } = {}): Promise<Cluster> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "schedule-sync-rel-"));
  const yamlPath = path.join(dir, "shared", "schedule_config.yml");
  await fs.mkdir(path.dirname(yamlPath), { recursive: true });
  await fs.writeFile(yamlPath, options.yaml ?? "# shared by every instance\nversion: 1\ntasks: {}\n");
  const database = kind === "postgresql" ? await createPostgresDatabase() : null;
  const count = kind === "postgresql" ? (options.instances ?? 3) : 1;
  const apps = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      startAppProcess({
        db: kind,
        databaseUrl: database?.url,
        dir: path.join(dir, `instance-${i}`),
        env: { SCHEDULE_CONFIG_PATH: yamlPath, ...options.env },
      }),
    ),
  );
  const reader = database ? pgReader(database.url) : null;
  let configs = 0;
  let stopped = false;
  return {
    kind,
    dir,
    yamlPath,
    apps,
    reader,
    snapshot: () => (reader ? snapshot(reader, yamlPath) : apiSnapshot(apps[0]!, yamlPath)),
    worker: async (script, config) => {
      const file = path.join(dir, `worker-${++configs}.json`);
      await fs.writeFile(file, JSON.stringify({ token: TEST_TOKEN, ...config }));
      return startWorker(script, [file]);
    },
    app: (n) => apps[n % apps.length]!,
    stop: async () => {
      if (stopped) return null;
      stopped = true;
      await Promise.all(apps.map((app) => app.stop()));
      if (database) {
        await reader!.close();
        await database.drop();
        return null;
      }
      return pgliteReader(apps[0]!.dataDir);
    },
    remove: () => fs.rm(dir, { recursive: true, force: true }),
  };
}

export { workerResult };
