import { isCodedError } from "../errors";
import { changeActorLabel } from "../people/actor";
import type { SyncStorage } from "../sync/storage/sync-storage";

/** Who made a task's newest recorded change ("alice in the dashboard"), or null when none is recorded. */
export async function lastChangedBy(storage: Pick<SyncStorage, "reads">, taskId: string): Promise<string | null> {
  const [latest] = await storage.reads.taskHistory(taskId, 1);
  return latest ? changeActorLabel(latest) : null;
}

/**
 * For a write refused as `stale_version`: adds `savedBy` (who saved the version that won) to
 * the error's details, so the stale-version dialog can name them (issue #18). Rethrows.
 */
export function nameWhoSaved(storage: Pick<SyncStorage, "reads">, taskId: string) {
  return async (error: unknown): Promise<never> => {
    if (isCodedError(error) && error.code === "stale_version") {
      const savedBy = await lastChangedBy(storage, taskId).catch(() => null);
      (error as { details?: unknown }).details = { ...(error.details as object), savedBy };
    }
    throw error;
  };
}
