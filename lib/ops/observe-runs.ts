import { isDatabaseUnavailable } from "../db/database-errors";
import { isCodedError } from "../errors";
import type { SyncEngine } from "../sync/engine/sync-engine";
import type { RunWrite, SyncStorage } from "../sync/storage/sync-storage";
import type { ScheduleStore } from "../yaml";

/** A sync run as it committed (or, for a failure, as it was recorded), with its lock waits. */
export interface ObservedRun extends RunWrite {
  finishedAt: Date;
}

export type LockKind = "file" | "database";

export interface RunObserver {
  /** Every run once its record is durable: a success after its transaction committed, a failure once recorded. */
  onRun(listener: (run: ObservedRun) => void): () => void;
  /** How long every acquisition of the file lock and the storage's transaction (with its cross-process lock) waited. */
  onLockWait(listener: (kind: LockKind, seconds: number) => void): () => void;
  /** A write from the API or the UI (edit, revert, resolution) that could not be synced: why (an error code). */
  onWriteFailure(listener: (reason: string) => void): () => void;
  /** The engine with its writes watched (failures reported to onWriteFailure). */
  watchWrites(engine: SyncEngine): SyncEngine;
}

/** The caller's mistakes, answered as such: not a failure of the write through. */
const CALLER_ERRORS = new Set(["not_found", "already_exists", "stale_version", "conflict_closed", "conflict_stale", "merged_required", "merged_id_mismatch", "nothing_to_revert"]);
const WRITES = new Set<PropertyKey>(["writeTask", "revertTask", "resolveConflict", "decideHeldDeletions"]);

/**
 * Watches the engine from outside: wraps its storage port and its file store so that every
 * recorded run and every lock wait is reported, without the engine knowing. A run recorded
 * inside a transaction that rolls back is never reported (the engine records that failure
 * again, outside, and that one is).
 */
export function observeRuns(storage: SyncStorage, store: ScheduleStore): { storage: SyncStorage; store: ScheduleStore; observer: RunObserver } {
  const runListeners = new Set<(run: ObservedRun) => void>();
  const waitListeners = new Set<(kind: LockKind, seconds: number) => void>();
  const failureListeners = new Set<(reason: string) => void>();
  const emitRun = (run: RunWrite) => {
    const observed = { ...run, finishedAt: new Date() };
    for (const listener of runListeners) safely(() => listener(observed));
  };
  const emitWait = (kind: LockKind, since: bigint) => {
    if (waitListeners.size === 0) return;
    const seconds = Number(process.hrtime.bigint() - since) / 1e9;
    for (const listener of waitListeners) safely(() => listener(kind, seconds));
  };

  const observedStorage: SyncStorage = {
    get kind() {
      return storage.kind;
    },
    get reads() {
      return storage.reads;
    },
    async transaction(work, options) {
      const recorded: RunWrite[] = [];
      const asked = process.hrtime.bigint();
      const result = await storage.transaction((tx) => {
        emitWait("database", asked);
        const insertRun: typeof tx.insertRun = (run, changes) => {
          recorded.push(run);
          return tx.insertRun(run, changes);
        };
        return work(new Proxy(tx, { get: (target, key) => (key === "insertRun" ? insertRun : Reflect.get(target, key)) }));
      }, options);
      for (const run of recorded) emitRun(run);
      return result;
    },
    async recordRun(run) {
      await storage.recordRun(run);
      emitRun(run);
    },
  };

  const observedStore: ScheduleStore = {
    get path() {
      return store.path;
    },
    read: () => store.read(),
    write: (patch, opts) => store.write(patch, opts),
    pinBackup: (text) => store.pinBackup(text),
    releasePinnedBackups: () => store.releasePinnedBackups(),
    withLock(fn, opts) {
      const asked = process.hrtime.bigint();
      return store.withLock((file) => {
        emitWait("file", asked);
        return fn(file);
      }, opts);
    },
  };

  const add = <L>(set: Set<L>, listener: L) => {
    set.add(listener);
    return () => void set.delete(listener);
  };
  return {
    storage: observedStorage,
    store: observedStore,
    observer: {
      onRun: (listener) => add(runListeners, listener),
      onLockWait: (listener) => add(waitListeners, listener),
      onWriteFailure: (listener) => add(failureListeners, listener),
      watchWrites: (engine) =>
        new Proxy(engine, {
          get(target, key) {
            const value = Reflect.get(target, key);
            if (!WRITES.has(key) || typeof value !== "function") return value;
            return async (...args: unknown[]) => {
              try {
                return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
              } catch (error) {
                const reason = isCodedError(error) ? error.code : isDatabaseUnavailable(error) ? "database_unavailable" : "error";
                if (!CALLER_ERRORS.has(reason)) for (const listener of failureListeners) safely(() => listener(reason));
                throw error;
              }
            };
          },
        }),
    },
  };
}

/** An observer's failure is never the run's. */
function safely(fn: () => void) {
  try {
    fn();
  } catch {
    // ignored: metrics and logs must not break a sync
  }
}
