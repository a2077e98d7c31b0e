import os from "node:os";
import type { AppConfig } from "../lib/config/env";
import { createCore, type Core } from "../lib/core/create-core";
import { isCodedError } from "../lib/errors";
import { actor } from "../lib/people/actor";
import { heldDeletions, syncStatus } from "../lib/sync/sync-reads";
import { listEnabledSchedules } from "../lib/tasks/task-reads";
import { CliError, cliErrorOf } from "./cli-error";
import { statusView } from "./status-view";
import type { SyncBackend } from "./sync-backend";

/**
 * The CLI as one more instance of the app on PostgreSQL: the same core the server runs (it
 * migrates, then syncs with trigger "cli"). Runs stay serialized with any server on the same
 * database and file by the PostgreSQL advisory lock and the YAML file lock.
 */
export async function openDirectBackend(config: AppConfig, log: (message: string) => void): Promise<SyncBackend> {
  const where = `database ${redactDatabaseUrl(config.databaseUrl!)}`;
  let core: Core;
  try {
    core = await createCore(config, {
      log: (level, message) => {
        if (level !== "info") log(message);
      },
    });
  } catch (error) {
    throw new CliError("database_unreachable", `cannot open the PostgreSQL ${where}: ${describeDbError(error)}`, { cause: error });
  }
  const { storage, store, sync } = core;
  // No server in between to say who: the runs are the OS user's (issue #18).
  const cliActor = actor("cli", safeUsername());

  return {
    where,
    async run({ direction, force, dryRun }) {
      try {
        return await sync.run({ trigger: "cli", direction, force, dryRun, actor: cliActor });
      } catch (error) {
        if (isCodedError(error)) throw cliErrorOf(error, store.path, error);
        throw new CliError("sync_failed", `the sync failed: ${describeDbError(error)}`, { cause: error });
      }
    },
    async openConflicts() {
      const conflicts = await storage.reads.listConflicts("open", 1000);
      return conflicts.map(({ id, taskId, kind, fields, detectedAt }) => ({ id, taskId, kind, fields, detectedAt }));
    },
    async status() {
      // A fresh core has read nothing yet: the file's state comes from a read now.
      await sync.refreshYamlState();
      return statusView(where, await syncStatus({ ...core, nextCronRun: () => null }), false);
    },
    held: async () => {
      const held = await heldDeletions(core);
      return { yaml: held.yaml.map(({ taskId, heldAt }) => ({ taskId, heldAt })), db: held.db.map(({ taskId, heldAt }) => ({ taskId, heldAt })) };
    },
    async decideHeld({ deletedIn, action, dryRun }) {
      try {
        return await sync.decideHeldDeletions(deletedIn, action, dryRun, cliActor);
      } catch (error) {
        if (isCodedError(error)) throw cliErrorOf(error, store.path, error);
        throw error;
      }
    },
    enabledTasks: () => listEnabledSchedules(core.db),
    revisions: (limit) => storage.reads.listRevisions({ limit }),
    async restoreRevision({ id, dryRun }) {
      try {
        return await sync.restoreRevision(id, dryRun, cliActor);
      } catch (error) {
        if (isCodedError(error)) throw cliErrorOf(error, store.path, error);
        throw error;
      }
    },
    close: () => core.close(),
  };
}

function safeUsername(): string | null {
  try {
    return os.userInfo().username || null;
  } catch {
    return null;
  }
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
