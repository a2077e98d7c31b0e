import fs from "node:fs/promises";
import type { Database } from "../db/create-database";

export interface ReadinessCheck {
  ok: boolean;
  /** Why not (only shown to callers with credentials: it can name paths). */
  error?: string;
}

export interface Readiness {
  ready: boolean;
  checks: { database: ReadinessCheck; migrations: ReadinessCheck; file: ReadinessCheck; watcher: ReadinessCheck };
}

export interface ReadinessDeps {
  db: Pick<Database, "query">;
  /** The migrations this build ships (folder names under prisma/migrations). */
  expectedMigrations(): Promise<string[]>;
  file: string;
  watcherRunning(): boolean;
  /** A database that does not answer within this is not ready. Default 2000. */
  timeoutMs?: number;
}

/**
 * Whether this instance can do its work (Kubernetes' readiness probe): the database answers,
 * every migration this build ships is applied, the schedule file can be read (a missing one is
 * fine: the next sync writes it), and the file watcher runs. Liveness is only "the process
 * answers" (/api/health/live).
 */
export async function checkReadiness(deps: ReadinessDeps): Promise<Readiness> {
  const timeoutMs = deps.timeoutMs ?? 2000;
  const database = await check(withTimeout(deps.db.query("SELECT 1"), timeoutMs, "the database did not answer"));
  const migrations = database.ok
    ? await check(
        (async () => {
          const [expected, applied] = await Promise.all([
            deps.expectedMigrations(),
            withTimeout(
              deps.db.query<{ migration_name: string }>(
                `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
              ),
              timeoutMs,
              "the database did not answer",
            ),
          ]);
          const done = new Set(applied.map((row) => row.migration_name));
          const missing = expected.filter((name) => !done.has(name));
          if (missing.length) throw new Error(`not applied: ${missing.join(", ")}`);
        })(),
      )
    : { ok: false, error: "the database is unreachable" };
  const file = await check(
    fs.access(deps.file, fs.constants.R_OK).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw new Error(`cannot read the schedule file (${error.code})`);
    }),
  );
  const watcher: ReadinessCheck = deps.watcherRunning() ? { ok: true } : { ok: false, error: "the file watcher is not running" };
  return { ready: database.ok && migrations.ok && file.ok && watcher.ok, checks: { database, migrations, file, watcher } };
}

/** The migration folders of `dir`, read once. */
export function migrationNames(dir: string): () => Promise<string[]> {
  let names: Promise<string[]> | null = null;
  return () =>
    (names ??= fs
      .readdir(dir, { withFileTypes: true })
      .then((entries) => entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort()));
}

async function check(work: Promise<unknown>): Promise<ReadinessCheck> {
  try {
    await work;
    return { ok: true };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
