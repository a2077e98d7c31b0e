import { isDatabaseUnavailable } from "../../db/database-errors";
import { YamlStoreError, type LockedSchedule, type ReadResult, type ScheduleStore, type WriteResult } from "../../yaml";
import { StorageBusyError, type SyncStorage, type SyncTransaction } from "../storage/sync-storage";
import { systemClock, type LoopClock } from "./convergence-loop";
import { syncErrorOf } from "./sync-errors";

/** What a run works with once it holds both locks: its transaction, the locked file, and the file as read under the lock. */
export interface RunContext {
  tx: SyncTransaction;
  file: LockedSchedule;
  yaml: ReadResult;
  /** The run recorded itself under this id (so a commit whose answer was lost can be looked up). */
  noteRun(runId: string): void;
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

/** Tries of a run whose file changed between its read and its write (or was being written). */
const STALE_RETRIES = 5;
/** Tries of a run that lost its database connection, and the waits between them. */
const DB_RETRY_WAITS_MS = [100, 400, 1000];
/** How long after an invalid read the file is read again, to tell a half-written file from a broken one. */
const IN_MOTION_RECHECK_MS = 100;
/** How long a lost commit's outcome is looked up before the file is put back anyway. */
const COMMIT_LOOKUP_MS = 3000;



/**
 * The lock protocol every run follows, in this order: the YAML file lock, one storage
 * transaction and, inside it, the storage's cross-process lock; then the file is read under the
 * lock. The file is written inside the transaction, so a failed write rolls the DB back, and a
 * failed commit after a successful write is healed by the next run (the base has not moved, so
 * the file's new content reads as a YAML-side change that matches). A run whose file changed
 * under it (stale) starts again. The caller serializes runs in this process.
 */
export function createLockedRunner(deps: { storage: SyncStorage; store: ScheduleStore; onRead(read: ReadResult): void; clock?: LoopClock }) {
  const { storage, store } = deps;
  const clock = deps.clock ?? systemClock;
  const sleep = (ms: number) => new Promise<void>((resolve) => clock.setTimeout(resolve, ms));

  /**
   * The file and the database change together or not at all. The file is written inside the
   * transaction; when the transaction then fails (a connection lost mid-run or at its commit),
   * the run's record is looked up: committed after all → the run succeeded; not committed, or
   * no way to tell → the file is put back as it was before the run, still under the lock.
   */
  async function inTransaction<T>(file: LockedSchedule, work: (ctx: RunContext) => Promise<T>, opts: LockOptions, wait: boolean): Promise<T> {
    const writes: WriteResult[] = [];
    const tracked: LockedSchedule = {
      read: () => file.read(),
      write: async (patch, writeOpts) => {
        const result = await file.write(patch, writeOpts);
        writes.push(result);
        return result;
      },
    };
    let produced: { value: T } | null = null;
    let runId: string | null = null;
    try {
      return await storage.transaction(
        async (tx) => {
          if (opts.skipIfRanWithinMs && opts.skipIfRanWithinMs > 0 && (await tx.ranRecently(opts.skipTrigger ?? "cron", opts.skipIfRanWithinMs))) {
            throw new SyncBusy("this tick already ran on another instance");
          }
          opts.onLocked?.();
          const yaml = await readSettled(tracked);
          deps.onRead(yaml);
          const value = await work({ tx, file: tracked, yaml, noteRun: (id) => (runId = id) });
          produced = { value };
          return value;
        },
        { wait },
      );
    } catch (error) {
      // The work was done and only the commit's answer is missing: look the run up.
      if (produced && runId && (await commitOutcome(runId)) === "committed") return (produced as { value: T }).value;
      for (const write of writes.reverse()) await write.revert();
      throw error;
    }
  }

  /**
   * The file under the lock, told apart from a file another program is writing right now: one
   * that reads as invalid is read again a moment later, and if it changed meanwhile the run
   * starts again (stale) instead of reporting a half-written file as broken.
   */
  async function readSettled(file: LockedSchedule): Promise<ReadResult> {
    const first = await file.read();
    if (first.status !== "invalid") return first;
    await sleep(IN_MOTION_RECHECK_MS);
    const again = await file.read();
    if (again.status !== "invalid" || again.checksum !== first.checksum) {
      throw new YamlStoreError("stale", "the schedule file was being written while it was read");
    }
    return again;
  }

  /** Whether the run recorded as `runId` committed, asked on a fresh connection for a few seconds. */
  async function commitOutcome(runId: string): Promise<"committed" | "not_committed" | "unknown"> {
    const deadline = clock.now() + COMMIT_LOOKUP_MS;
    for (let wait = 50; ; wait = Math.min(wait * 2, 800)) {
      try {
        return (await storage.reads.getRun(runId)) ? "committed" : "not_committed";
      } catch {
        if (clock.now() + wait > deadline) return "unknown";
        await sleep(wait);
      }
    }
  }

  return async function locked<T>(work: (ctx: RunContext) => Promise<T>, opts: LockOptions = {}): Promise<T> {
    const wait = !opts.noWait;
    let dbRetries = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        return await store.withLock((file) => inTransaction(file, work, opts, wait), { wait });
      } catch (error) {
        if (error instanceof StorageBusyError) throw new SyncBusy(error.message);
        if (!wait && error instanceof YamlStoreError && error.code === "lock_timeout") throw new SyncBusy("the schedule file is locked by another writer");
        if (error instanceof YamlStoreError && error.code === "stale" && attempt < STALE_RETRIES) continue;
        // A connection terminated mid-run (a failover, pg_terminate_backend): both sides are as
        // they were, and the pool's next connection usually works.
        if (wait && isDatabaseUnavailable(error) && dbRetries < DB_RETRY_WAITS_MS.length) {
          await sleep(DB_RETRY_WAITS_MS[dbRetries++]!);
          continue;
        }
        throw syncErrorOf(error, store.path);
      }
    }
  };
}

export type LockedRunner = ReturnType<typeof createLockedRunner>;
