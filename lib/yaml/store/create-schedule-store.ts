import { AsyncLocalStorage } from "node:async_hooks";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { lstat, mkdir, readFile, readlink, rm, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import lockfile from "proper-lockfile";
import type { Task } from "../../tasks/task-schema";
import { applySchedulePatch, type SchedulePatch } from "../write/apply-schedule-patch";
import { atomicWriteFile, FileChangedError, removeOrphanTempFiles, type WriteActivity } from "./atomic-write-file";
import { sha256Checksum } from "../parse/checksum";
import { DEFAULT_BACKUP_DIR_NAME } from "./is-schedule-artifact";
import { DEFAULT_MAX_ALIAS_COUNT, DEFAULT_MAX_BYTES, parseSchedule, tooLargeIssue, type ParseResult, type ParseScheduleOptions } from "../parse/parse-schedule";
import { ReadonlyTaskMap } from "../fast/readonly-task-map";
import { ownDocument, reparseSchedule } from "../fast/reparse-schedule";
import { pinBackup, releasePinnedBackups, writeBackup } from "./write-backup";
import { YamlStoreError } from "../yaml-store-error";

export type ReadResult =
  | ({ status: "ok" } & Extract<ParseResult, { ok: true }> & { text: string })
  | { status: "missing" }
  | ({ status: "invalid" } & Extract<ParseResult, { ok: false }>);

export interface WriteResult {
  /** `"sha256:<hex>"` of the file as it is now (unchanged when the patch changed nothing). */
  checksum: string;
  /** The tasks now in the file: read-only when the write changed the file (the Map the next read hands out). */
  tasks: Map<string, Task>;
  /**
   * Puts back the file this write replaced, if the file still holds what it wrote (a caller
   * whose database transaction failed after the write keeps both sides as they were). Only
   * while the lock is held; false when there is nothing to undo or someone changed it since.
   */
  revert(): Promise<boolean>;
}

export interface WriteOptions {
  /** Refuse (code `stale`) unless the file's checksum is this; `null` means "the file must not exist". */
  expectedChecksum?: string | null;
}

export interface LockedSchedule {
  /** Re-reads the file under the lock, once no other program has written it for `stableMs` (bounded). */
  read(): Promise<ReadResult>;
  /**
   * Applies the patch to the file as it is now; refuses (throws a YamlStoreError with code
   * "stale") when expectedChecksum is given and the file's checksum differs; refuses to
   * overwrite an invalid file (code "invalid_file"); validates the result before writing.
   * Creates the file (with a header comment and `version: 1`) when missing. A patch that
   * changes nothing writes nothing.
   */
  write(patch: SchedulePatch, opts?: WriteOptions): Promise<WriteResult>;
}

export interface ScheduleStore {
  readonly path: string;
  /** Reads without the lock (the file is only ever replaced atomically, so a read never sees a partial file). */
  read(): Promise<ReadResult>;
  /**
   * Runs `fn` holding the file lock (in-process callers queue; other processes retry a bounded
   * number of times). Not reentrant. With `wait: false`, a lock held by anyone (this process or
   * another) fails at once with code `lock_timeout` instead.
   */
  withLock<T>(fn: (file: LockedSchedule) => Promise<T>, opts?: { wait?: boolean }): Promise<T>;
  /** `withLock(file => file.write(patch, opts))`. */
  write(patch: SchedulePatch, opts?: WriteOptions): Promise<WriteResult>;
  /**
   * Keeps `text` (the file as a run read it) as a backup that is never rotated out, until
   * releasePinnedBackups: the copy before a mass deletion that waits for a person. Returns its
   * path, or null when backups are off.
   */
  pinBackup(text: string): Promise<string | null>;
  /** The pinned backups become ordinary ones (rotated as usual); returns how many there were. */
  releasePinnedBackups(): Promise<number>;
}

export interface ScheduleStoreOptions {
  path: string;
  /** Where copies of the previous file go. Default `<dir of file>/.schedule-backups`. */
  backupDir?: string;
  /** Backups to keep. Default 5; 0 disables backups. */
  keepBackups?: number;
  /** Default 5 MiB. */
  maxBytes?: number;
  /** Default 100. */
  maxAliasCount?: number;
  /** A lock not refreshed for this long is taken over. Default 5000 (proper-lockfile's minimum is 2000). */
  lockStaleMs?: number;
  /** Attempts to take a held lock, 5-50 ms apart (default 400); also bounded in time by 4 × lockStaleMs (at least 10 s). */
  lockRetries?: number;
  logger?: { warn(message: string): void };
  /**
   * A write waits until the file has not changed for this long (another program may be half
   * way through writing it), up to ten times as long. Default 100.
   */
  stableMs?: number;
  /** @internal Test hook: runs after the temp file is written and synced, right before the rename. */
  beforeRename?: (tempPath: string) => void | Promise<void>;
}

const heldLocks = new AsyncLocalStorage<ReadonlySet<string>>();
const localQueues = new Map<string, Promise<void>>();

/**
 * The one way the app reads and writes the schedule file (docs/ARCHITECTURE.md, "The schedule file").
 *
 * @example
 * const store = createScheduleStore({ path: "config/schedule_config.yml" });
 * const { checksum } = await store.write({ upsert: [task], metadata: { sync_source: "db" } });
 */
export function createScheduleStore(options: ScheduleStoreOptions): ScheduleStore {
  const path = resolve(options.path);
  const dir = dirname(path);
  const name = basename(path);
  const backupDir = options.backupDir ?? join(dir, DEFAULT_BACKUP_DIR_NAME);
  const keepBackups = options.keepBackups ?? 5;
  // Who else writes the file, as this store's writes see it (atomic-write-file.ts, replaceOnly).
  const activity: WriteActivity = {};
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const parseOptions = { maxBytes, maxAliasCount: options.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT };
  const stale = Math.max(options.lockStaleMs ?? 5000, 2000);
  const logger = options.logger ?? { warn: (message: string) => console.warn(message) };
  const stableMs = options.stableMs ?? 100;
  // What the file looked like after this store's last write: a file still like that is not
  // being written by someone else, so a write after a write need not wait for it to settle.
  let ownWrite: { ino: number; size: number; mtimeMs: number } | null = null;

  // The last valid version of the file this store read or wrote, keyed by its checksum: an
  // unchanged file is not parsed again, and a changed one is diffed against it so only the
  // tasks that changed are parsed (reparseSchedule). Its tasks are frozen and handed out
  // as they are; its Document is private (reparse edits it in place), callers get a copy.
  let snapshot: Snapshot | null = null;

  type Loaded =
    | { status: "missing" }
    | { status: "invalid"; result: Extract<ParseResult, { ok: false }> }
    | { status: "ok"; bytes: Uint8Array; snapshot: Snapshot; mode: number };

  async function load(): Promise<Loaded> {
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { status: "missing" };
      throw new YamlStoreError("io", `cannot read ${path}: ${(error as Error).message}`, { cause: error });
    }
    if (info.size > maxBytes) {
      // Refuse without loading it: hash it as a stream for the checksum.
      const checksum = await hashFile(path);
      return { status: "invalid", result: { ok: false, checksum, issues: [tooLargeIssue(info.size, maxBytes)] } };
    }
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { status: "missing" };
      throw new YamlStoreError("io", `cannot read ${path}: ${(error as Error).message}`, { cause: error });
    }
    const mode = info.mode & 0o7777;
    const checksum = sha256Checksum(bytes);
    if (snapshot?.checksum === checksum) return { status: "ok", bytes, snapshot, mode };
    let text: string | null;
    try {
      text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch {
      text = null; // the full parse says where the bad byte is
    }
    let parsed: ParseResult | null = snapshot && text !== null ? reparseSchedule(snapshot, text, { ...parseOptions, checksum }) : null;
    if (!parsed) {
      parsed = parseSchedule(bytes, parseOptions);
      if (!parsed.ok) return { status: "invalid", result: parsed };
      ownDocument(parsed);
    }
    snapshot = makeSnapshot(parsed, text ?? new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes));
    return { status: "ok", bytes, snapshot, mode };
  }

  async function read(): Promise<ReadResult> {
    const loaded = await load();
    if (loaded.status === "missing") return { status: "missing" };
    if (loaded.status === "invalid") return { status: "invalid", ...loaded.result };
    return readResult(loaded.snapshot, () => snapshot === loaded.snapshot, parseOptions);
  }

  /** Waits (bounded) until no other program has written the file for `stableMs`. */
  async function settled(): Promise<void> {
    const deadline = Date.now() + 10 * stableMs;
    for (;;) {
      const info = await stat(path).catch(() => null);
      if (!info || (ownWrite && info.ino === ownWrite.ino && info.size === ownWrite.size && info.mtimeMs === ownWrite.mtimeMs)) return;
      const quiet = Date.now() - info.mtimeMs;
      if (quiet >= stableMs || Date.now() >= deadline) return;
      await new Promise((resolve) => setTimeout(resolve, Math.min(stableMs - quiet, deadline - Date.now())));
    }
  }

  async function writeLocked(patch: SchedulePatch, opts: WriteOptions, lock: { compromised: Error | null }): Promise<WriteResult> {
    await settled();
    const current = await load();
    const checksum = current.status === "missing" ? null : current.status === "invalid" ? current.result.checksum : current.snapshot.checksum;
    if (opts.expectedChecksum !== undefined && opts.expectedChecksum !== checksum) {
      throw new YamlStoreError(
        "stale",
        `${name} changed since it was read (expected ${opts.expectedChecksum ?? "no file"}, found ${checksum ?? "no file"})`,
      );
    }
    if (current.status === "invalid") {
      throw new YamlStoreError("invalid_file", `${name} is not valid and will not be overwritten; fix it first`, {
        issues: current.result.issues,
      });
    }

    const base = current.status === "ok" ? current.snapshot : null;
    const patched = applySchedulePatch(base && { text: base.text, parsed: base.parsed }, patch, parseOptions);
    if (!patched.changed || !patched.parsed) return lazyTasks(checksum!, () => patched.tasks);
    // Through a symlink (a dotfiles repository, a ConfigMap's ..data) the link's target is
    // written and the link kept.
    const target = await linkTarget(path);
    const previous = { bytes: current.status === "ok" ? current.bytes : null, snapshot };

    const bytes = Buffer.from(patched.text, "utf8");
    // A re-parse leaves its checksum to be made: from these bytes, not by encoding the text again.
    patched.parsed.checksum = sha256Checksum(bytes);
    try {
      await mkdir(dirname(target), { recursive: true });
      await removeOrphanTempFiles(target);
      if (current.status === "ok" && keepBackups > 0) {
        await writeBackup(current.bytes, { dir: backupDir, name, keep: keepBackups, mode: current.mode });
      }
      await atomicWriteFile(target, bytes, {
        mode: current.status === "ok" ? current.mode : undefined,
        expected: previous.bytes,
        activity,
        beforeRename: options.beforeRename,
        assertCanRename: () => {
          if (lock.compromised) {
            throw new YamlStoreError("lock_compromised", `the lock on ${name} was lost while writing; nothing was written`, {
              cause: lock.compromised,
            });
          }
        },
      });
    } catch (error) {
      if (error instanceof YamlStoreError) throw error;
      if (error instanceof FileChangedError) throw new YamlStoreError("stale", error.message, { cause: error });
      throw new YamlStoreError("io", `cannot write ${path}: ${(error as Error).message}`, { cause: error });
    }
    ownDocument(patched.parsed);
    const written = (snapshot = makeSnapshot(patched.parsed, patched.text));
    ownWrite = await stat(path).then(({ ino, size, mtimeMs }) => ({ ino, size, mtimeMs }), () => null);
    const revert = async () => {
      if (!sameContent(await readIfMissing(target), bytes)) return false;
      try {
        if (previous.bytes === null) await rm(target);
        else await atomicWriteFile(target, previous.bytes, { mode: current.status === "ok" ? current.mode : undefined, expected: bytes });
      } catch (error) {
        if (error instanceof FileChangedError) return false;
        throw new YamlStoreError("io", `cannot put back ${path}: ${(error as Error).message}`, { cause: error });
      }
      snapshot = previous.snapshot;
      ownWrite = null;
      return true;
    };
    const result = { checksum: written.checksum, revert } as WriteResult;
    return Object.defineProperty(result, "tasks", { enumerable: true, get: () => viewOf(written) });
  }

  async function withLock<T>(fn: (file: LockedSchedule) => Promise<T>, lockOpts: { wait?: boolean } = {}): Promise<T> {
    if (heldLocks.getStore()?.has(path)) {
      throw new Error(`withLock(${name}) is not reentrant: use the LockedSchedule passed to the callback`);
    }
    const wait = lockOpts.wait ?? true;
    if (!wait && localQueues.has(path)) throw new YamlStoreError("lock_timeout", `${name} is locked by another writer in this process`);
    return queueLocally(path, async () => {
      try {
        await mkdir(dir, { recursive: true });
      } catch (error) {
        throw new YamlStoreError("io", `cannot create ${dir}: ${(error as Error).message}`, { cause: error });
      }
      const lock = { compromised: null as Error | null };
      let release: () => Promise<void>;
      try {
        // Short polls (writers hold the lock for milliseconds), bounded in count and in time;
        // the time bound outlasts `stale` so a lock left by a killed writer is taken over.
        release = await lockWhenFree(
          path,
          {
            realpath: false,
            stale,
            onCompromised: (error) => {
              // The default throws from a timer and kills the process; a lost lock only aborts the write in progress.
              lock.compromised = error;
              logger.warn(`schedule-sync: lock on ${path} compromised: ${error.message}`);
            },
          },
          wait ? (options.lockRetries ?? 400) : 0,
          Math.max(4 * stale, 10_000),
        );
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ELOCKED") {
          throw new YamlStoreError("lock_timeout", `${name} is locked by another writer; gave up waiting`, { cause: error });
        }
        throw new YamlStoreError("io", `cannot lock ${path}: ${(error as Error).message}`, { cause: error });
      }
      // A writer killed between writing its temp file and renaming it leaves the temp file
      // behind; clear it whenever the lock is taken, not only before the next write (a run
      // with nothing to write would otherwise leave it in the folder for good).
      await removeOrphanTempFiles(path).catch(() => undefined);

      let active = true;
      let chain: Promise<unknown> = Promise.resolve();
      const ensureActive = () => {
        if (!active) throw new Error(`the lock on ${name} was released: use the LockedSchedule only inside withLock`);
      };
      const file: LockedSchedule = {
        // Under the lock a read is the start of a sync or a write: it waits for the file to settle.
        read: async () => {
          ensureActive();
          await settled();
          return read();
        },
        write: (patch, opts = {}) => {
          ensureActive();
          const next = chain.then(() => writeLocked(patch, opts, lock));
          chain = next.catch(() => {});
          return next;
        },
      };
      try {
        return await heldLocks.run(new Set([...(heldLocks.getStore() ?? []), path]), () => fn(file));
      } finally {
        active = false;
        await chain;
        await release().catch((error: Error) => {
          if (!lock.compromised) logger.warn(`schedule-sync: releasing the lock on ${path} failed: ${error.message}`);
        });
      }
    });
  }

  return {
    path,
    read,
    withLock,
    write: (patch, opts) => withLock((file) => file.write(patch, opts)),
    pinBackup: async (text) => (keepBackups > 0 ? pinBackup(Buffer.from(text, "utf8"), { dir: backupDir, name }) : null),
    releasePinnedBackups: () => releasePinnedBackups({ dir: backupDir, name, keep: keepBackups }),
  };
}

/**
 * Takes the lock, waiting (5-50 ms apart, bounded in count and time) only while another writer
 * holds it. proper-lockfile's own `retries` retry every error, so a read-only or full folder
 * (mkdir EROFS/ENOSPC) kept a sync waiting ~20 s before it could say why it failed.
 */
async function lockWhenFree(path: string, lockOptions: lockfile.LockOptions, retries: number, maxRetryTime: number): Promise<() => Promise<void>> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await lockfile.lock(path, { ...lockOptions, retries: 0 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ELOCKED" || attempt >= retries || Date.now() - started >= maxRetryTime) throw error;
      const delay = Math.min(50, 5 * 1.5 ** attempt * (1 + Math.random()));
      await new Promise((resolveDelay) => setTimeout(resolveDelay, delay));
    }
  }
}

/** Callers of one process take turns before they contend for the file lock. */
async function queueLocally<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = localQueues.get(key) ?? Promise.resolve();
  let done!: () => void;
  const mine = new Promise<void>((resolveTurn) => (done = resolveTurn));
  const tail = previous.then(() => mine);
  localQueues.set(key, tail);
  await previous;
  try {
    return await fn();
  } finally {
    done();
    if (localQueues.get(key) === tail) localQueues.delete(key);
  }
}

type ParsedOk = Extract<ParseResult, { ok: true }>;

interface Snapshot {
  checksum: string;
  text: string;
  parsed: ParsedOk;
  /** The tasks as handed to readers, made at the first read. */
  view?: ReadonlyTaskMap;
}

function makeSnapshot(parsed: ParsedOk, text: string): Snapshot {
  for (const task of parsed.tasks.values()) {
    if (!Object.isFrozen(task)) {
      Object.freeze(task.tags);
      Object.freeze(task);
    }
  }
  return { checksum: parsed.checksum, text, parsed };
}

/** A WriteResult whose Map of tasks (10,000 entries, rarely wanted) is copied on first access. */
function lazyTasks(checksum: string, tasks: () => Map<string, Task>): WriteResult {
  let copy: Map<string, Task> | undefined;
  const result = { checksum, revert: async () => false } as WriteResult;
  Object.defineProperty(result, "tasks", { enumerable: true, get: () => (copy ??= new Map(tasks())) });
  return result;
}

/** The snapshot's tasks as every reader of this version shares them. */
function viewOf(snap: Snapshot): ReadonlyTaskMap {
  return (snap.view ??= snap.parsed.tasks instanceof ReadonlyTaskMap ? snap.parsed.tasks : ReadonlyTaskMap.copyOf(snap.parsed.tasks));
}

/**
 * What `read` hands out: the snapshot's tasks as a read-only Map that every read of this version
 * shares (the tasks in it are frozen; copying 10,000 entries per read cost more than the read),
 * and the Document as a copy made on first access (from the snapshot while it is current, else
 * parsed from the text).
 */
function readResult(snap: Snapshot, isCurrent: () => boolean, parseOptions: ParseScheduleOptions): ReadResult {
  const { parsed, text } = snap;
  let doc: ParsedOk["doc"] | undefined;
  const result = {
    status: "ok" as const,
    ok: true as const,
    tasks: viewOf(snap) as Map<string, Task>,
    order: [...parsed.order],
    checksum: parsed.checksum,
    metadata: parsed.metadata && { ...parsed.metadata },
    text,
  };
  Object.defineProperty(result, "doc", {
    enumerable: true,
    get: () => (doc ??= isCurrent() ? (parsed.doc.clone() as ParsedOk["doc"]) : (parseSchedule(text, parseOptions) as ParsedOk).doc),
  });
  return result as ReadResult;
}

/** The file a write through `path` replaces: the end of its chain of symlinks (which need not exist yet). */
async function linkTarget(path: string): Promise<string> {
  let current = path;
  for (let hops = 0; hops < 40; hops++) {
    let info;
    try {
      info = await lstat(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return current;
      throw error;
    }
    if (!info.isSymbolicLink()) return current;
    current = resolve(dirname(current), await readlink(current));
  }
  throw new YamlStoreError("io", `${path}: too many levels of symbolic links`);
}

async function readIfMissing(path: string): Promise<Uint8Array | null> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

function sameContent(a: Uint8Array | null, b: Uint8Array): boolean {
  return a !== null && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest("hex")}`;
}
