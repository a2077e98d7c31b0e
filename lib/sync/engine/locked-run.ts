import { YamlStoreError, type LockedSchedule, type ReadResult, type ScheduleStore } from "../../yaml";
import { StorageBusyError, type SyncStorage, type SyncTransaction } from "../storage/sync-storage";
import { syncErrorOf } from "./sync-errors";

/** What a run works with once it holds both locks: its transaction, the locked file, and the file as read under the lock. */
export interface RunContext {
  tx: SyncTransaction;
  file: LockedSchedule;
  yaml: ReadResult;
}

export interface LockOptions {
  /** Take the locks only if they are free; otherwise throw SyncBusy at once. */
  noWait?: boolean;
  /** Also SyncBusy when a run of this trigger succeeded this recently on any instance (the same cron tick, seen a moment later). */
  skipIfRanWithinMs?: number;
  skipTrigger?: string;
  /** Runs once both locks are held. */
  onLocked?: () => void;
}

/** A run that may not wait found the sync held (or just done) elsewhere. */
export class SyncBusy extends Error {
  override name = "SyncBusy";
}

/** Tries of a run whose file changed between its read and its write. */
const STALE_RETRIES = 3;

/**
 * The lock protocol every run follows, in this order: the YAML file lock, one storage
 * transaction and, inside it, the storage's cross-process lock; then the file is read under the
 * lock. The file is written inside the transaction, so a failed write rolls the DB back, and a
 * failed commit after a successful write is healed by the next run (the base has not moved, so
 * the file's new content reads as a YAML-side change that matches). A run whose file changed
 * under it (stale) starts again. The caller serializes runs in this process.
 */
export function createLockedRunner(deps: { storage: SyncStorage; store: ScheduleStore; onRead(read: ReadResult): void }) {
  const { storage, store } = deps;

  return async function locked<T>(work: (ctx: RunContext) => Promise<T>, opts: LockOptions = {}): Promise<T> {
    const wait = !opts.noWait;
    for (let attempt = 1; ; attempt++) {
      try {
        return await store.withLock(
          (file) =>
            storage.transaction(
              async (tx) => {
                if (opts.skipIfRanWithinMs && opts.skipIfRanWithinMs > 0 && (await tx.ranRecently(opts.skipTrigger ?? "cron", opts.skipIfRanWithinMs))) {
                  throw new SyncBusy("this tick already ran on another instance");
                }
                opts.onLocked?.();
                const yaml = await file.read();
                deps.onRead(yaml);
                return work({ tx, file, yaml });
              },
              { wait },
            ),
          { wait },
        );
      } catch (error) {
        if (error instanceof StorageBusyError) throw new SyncBusy(error.message);
        if (!wait && error instanceof YamlStoreError && error.code === "lock_timeout") throw new SyncBusy("the schedule file is locked by another writer");
        if (error instanceof YamlStoreError && error.code === "stale" && attempt < STALE_RETRIES) continue;
        throw syncErrorOf(error, store.path);
      }
    }
  };
}

export type LockedRunner = ReturnType<typeof createLockedRunner>;
