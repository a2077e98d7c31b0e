import path from "node:path";
import { AppError } from "../lib/api/errors";
import type { AppConfig } from "../lib/config/env";
import { createDatabase } from "../lib/db/create-database";
import { migrate } from "../lib/db/migrate";
import { createEventBus } from "../lib/events/event-bus";
import { createSyncEngine } from "../lib/sync/sync-engine";
import { countOpenConflicts, listConflicts, listRuns } from "../lib/sync/sync-repository";
import { createScheduleStore, type YamlIssue } from "../lib/yaml";
import { CliError, INVALID_FILE_MESSAGE } from "./cli-error";
import type { StatusView, SyncBackend } from "./sync-backend";

/**
 * The CLI as one more instance of the app on PostgreSQL: it migrates, then runs the same
 * sync engine the server runs (trigger "cli"). Runs stay serialized with any server on the
 * same database and file by the PostgreSQL advisory lock and the YAML file lock.
 */
export async function openDirectBackend(config: AppConfig, log: (message: string) => void): Promise<SyncBackend> {
  const databaseUrl = config.databaseUrl!;
  const where = `database ${redactDatabaseUrl(databaseUrl)}`;
  const db = await createDatabase({ databaseUrl });
  try {
    await migrate(db);
  } catch (error) {
    await db.close().catch(() => undefined);
    throw new CliError("database_unreachable", `cannot open the PostgreSQL ${where}: ${describeDbError(error)}`, { cause: error });
  }
  const store = createScheduleStore({
    path: config.scheduleConfigPath,
    backupDir: path.join(config.dataDir, "backups"),
    keepBackups: config.yamlBackups,
    maxBytes: config.yamlMaxBytes,
    logger: { warn: log },
  });
  const engine = createSyncEngine({
    db,
    store,
    events: createEventBus(),
    autoMerge: config.autoMerge,
    log: (level, message) => {
      if (level !== "info") log(message);
    },
  });

  return {
    where,
    async run({ direction, force, dryRun }) {
      try {
        return await engine.run({ trigger: "cli", direction, force, dryRun });
      } catch (error) {
        if (error instanceof AppError && error.code === "yaml_invalid") {
          const issues = (error.details as { issues?: YamlIssue[] } | undefined)?.issues ?? [];
          throw new CliError("yaml_invalid", INVALID_FILE_MESSAGE, {
            issues,
            file: store.path,
            cause: error,
          });
        }
        if (error instanceof AppError) throw new CliError(error.code, error.message, { cause: error });
        throw new CliError("sync_failed", `the sync failed: ${describeDbError(error)}`, { cause: error });
      }
    },
    async openConflicts() {
      const conflicts = await listConflicts(db.prisma, "open", 1000);
      return conflicts.map(({ id, taskId, kind, fields, detectedAt }) => ({ id, taskId, kind, fields, detectedAt }));
    },
    async status(): Promise<StatusView> {
      const [read, openConflicts, runs] = await Promise.all([store.read(), countOpenConflicts(db.prisma), listRuns(db.prisma, { limit: 1 })]);
      const run = runs[0];
      return {
        where,
        state: null,
        lastError: run?.status === "error" ? run.error : null,
        db: db.kind,
        yaml: {
          path: store.path,
          valid: read.status !== "invalid",
          missing: read.status === "missing",
          checksum: read.status === "missing" ? null : read.checksum,
          issues: read.status === "invalid" ? read.issues : [],
        },
        openConflicts,
        lastRun: run
          ? {
              id: run.id,
              trigger: run.trigger,
              direction: run.direction,
              status: run.status,
              error: run.error,
              conflicts: run.conflicts,
              startedAt: run.startedAt,
              durationMs: run.durationMs,
            }
          : null,
        nextCronRun: null,
      };
    },
    close: () => db.close(),
  };
}

/** `postgresql://user:secret@host:5432/db?…` → `postgresql://user@host:5432/db`: no password, no query. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = "";
    parsed.search = "";
    return parsed.toString();
  } catch {
    return "(DATABASE_URL)";
  }
}

function describeDbError(error: unknown): string {
  const err = error as { message?: string; code?: string; errors?: { message?: string }[] };
  // pg's AggregateError (IPv4 and IPv6 both refused) has an empty message.
  const message = err?.message || err?.errors?.map((e) => e.message).join("; ") || err?.code || String(error);
  return message.replace(/postgres(?:ql)?:\/\/[^\s"']+/g, (url) => redactDatabaseUrl(url));
}
