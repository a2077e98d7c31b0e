import type { SyncStatus } from "../lib/client/api-types";
import { isIssue } from "./cli-error";
import type { StatusView } from "./sync-backend";

/**
 * The CLI's view of a sync status as GET /api/sync/status answers it (lib/sync/sync-reads.ts
 * syncStatus, which the direct backend runs itself). `fromServer: false` drops what only a
 * running server knows (its state, its retry, its cron).
 */
export function statusView(where: string, status: SyncStatus, fromServer: boolean): StatusView {
  const run = status.lastRun;
  return {
    where,
    state: fromServer ? status.state : null,
    lastError: fromServer ? status.lastError : run?.status === "error" ? run.error : null,
    db: status.db,
    yaml: {
      path: status.yaml.path,
      valid: status.yaml.valid,
      missing: status.yaml.missing,
      checksum: status.yaml.checksum,
      issues: (status.yaml.issues ?? []).filter(isIssue),
    },
    openConflicts: status.openConflicts,
    pending: status.pending ?? null,
    held: status.held ?? { yaml: 0, db: 0 },
    retry: fromServer ? (status.retry ?? null) : null,
    lastRun: run
      ? { id: run.id, trigger: run.trigger, direction: run.direction, status: run.status, error: run.error, conflicts: run.conflicts, startedAt: run.startedAt, durationMs: run.durationMs }
      : null,
    nextCronRun: fromServer ? status.nextCronRun : null,
    git: fromServer ? (status.git ?? null) : null,
  };
}
