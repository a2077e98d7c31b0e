import { AppError, notFound } from "../api/errors";
import type { AppServices } from "../server/registry";
import { taskSourceText, taskToYamlText } from "../yaml";
import { proposeMerge } from "./resolve-conflict";
import * as repo from "./sync-repository";

/** Read-side views of the sync state for the API and the pages. */

export async function syncStatus(services: AppServices) {
  const status = services.sync.status();
  const head = status.yaml.issues[0] ?? null;
  // From the database, not this process's memory: another instance or the CLI may have
  // run the latest sync against the same PostgreSQL.
  const [openConflicts, [lastRecorded]] = await Promise.all([
    repo.countOpenConflicts(services.db.prisma),
    repo.listRuns(services.db.prisma, { limit: 1 }),
  ]);
  return {
    state: status.state,
    lastRun: lastRecorded ?? null,
    lastError: status.lastError,
    openConflicts,
    yaml: {
      path: status.yaml.path,
      checksum: status.yaml.checksum,
      valid: status.yaml.valid !== false,
      missing: status.yaml.missing,
      error: head,
      issues: status.yaml.issues,
    },
    db: services.db.kind,
    autoMerge: services.config.autoMerge,
    watch: services.config.syncWatch,
    cron: services.config.syncCron,
    nextCronRun: services.nextCronRun()?.toISOString() ?? null,
  };
}

export async function conflictDetail(services: AppServices, id: string) {
  const conflict = await repo.getConflict(services.db.prisma, id);
  if (!conflict) throw notFound("Conflict", id);
  let yamlSource: string | null = null;
  const read = await services.store.read();
  if (read.status === "ok") {
    yamlSource = taskSourceText(read.doc, read.text, conflict.taskId);
  }
  return {
    ...conflict,
    text: {
      base: taskToYamlText(conflict.base),
      yaml: taskToYamlText(conflict.yaml),
      db: taskToYamlText(conflict.db),
      /** The task exactly as it stands in the file now, comments included. */
      yamlSource,
    },
    proposal: conflict.yaml && conflict.db ? proposeMerge(conflict.base, conflict.yaml, conflict.db) : null,
  };
}

export async function runDetail(services: AppServices, id: string) {
  const run = await repo.getRun(services.db.prisma, id);
  if (!run) throw notFound("Sync run", id);
  return run;
}

export async function revertTask(services: AppServices, taskId: string, changeId: string) {
  const change = await repo.getChange(services.db.prisma, changeId);
  if (!change || change.taskId !== taskId) throw notFound("Change", changeId);
  if (change.after === null && change.before === null) throw new AppError(400, "nothing_to_revert", "That change holds no version");
  return services.sync.writeTask({ kind: "set", id: taskId, task: change.after }, "revert", "revert");
}
