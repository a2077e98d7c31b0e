import { applySchedulePatch } from "../write/apply-schedule-patch";
import type { LockedSchedule, ReadResult, ScheduleStore, WriteOptions, WriteResult } from "./create-schedule-store";
import { parseSchedule } from "../parse/parse-schedule";
import { YamlStoreError } from "../yaml-store-error";

export interface MemoryScheduleStore extends ScheduleStore {
  /** The file's text now; null when there is no file. */
  text(): string | null;
  /** Test door: replaces the file as a person (or another program) would, without the lock. */
  setText(text: string | null): void;
  /** The texts pinned and not yet released. */
  pinned(): string[];
}

/**
 * A ScheduleStore over a text in memory: the same parser, patcher and refusals as the file
 * store (an invalid file is never overwritten, a stale checksum refuses the write, a held lock
 * refuses a caller that may not wait), without a disk. For fast engine tests.
 */
export function createMemoryScheduleStore(options: { path?: string; text?: string | null } = {}): MemoryScheduleStore {
  const path = options.path ?? "/memory/schedule_config.yml";
  let text: string | null = options.text ?? null;
  let tail: Promise<unknown> = Promise.resolve();
  let held = 0;
  const pinned: string[] = [];

  // The last read, by its text: the engine reads the same file several times per run.
  let last: { text: string; result: ReadResult } | null = null;
  function read(): ReadResult {
    if (text === null) return { status: "missing" };
    if (last?.text !== text) {
      const result = parseSchedule(text);
      last = { text, result: result.ok ? { status: "ok", ...result, text } : { status: "invalid", ...result } };
    }
    return last.result;
  }

  function write(patch: Parameters<ScheduleStore["write"]>[0], opts: WriteOptions = {}): WriteResult {
    const current = read();
    const checksum = current.status === "missing" ? null : current.checksum;
    if (opts.expectedChecksum !== undefined && opts.expectedChecksum !== checksum) {
      throw new YamlStoreError("stale", `${path} changed since it was read (expected ${opts.expectedChecksum ?? "no file"}, found ${checksum ?? "no file"})`);
    }
    if (current.status === "invalid") {
      throw new YamlStoreError("invalid_file", `${path} is not valid and will not be overwritten; fix it first`, { issues: current.issues });
    }
    // A parse of its own: the patcher may edit the Document it is given in place.
    const base = current.status === "ok" ? parseSchedule(current.text) : null;
    const patched = applySchedulePatch(base?.ok ? { text: current.status === "ok" ? current.text : "", parsed: base } : null, patch);
    if (!patched.changed) return { checksum: checksum!, tasks: new Map(patched.tasks), revert: async () => false };
    const previous = text;
    const written = (text = patched.text);
    const after = read();
    if (after.status !== "ok") throw new YamlStoreError("invalid_result", `the patched ${path} does not read back`);
    const revert = async () => {
      if (text !== written) return false;
      text = previous;
      return true;
    };
    return { checksum: after.checksum, tasks: new Map(after.tasks), revert };
  }

  async function withLock<T>(fn: (file: LockedSchedule) => Promise<T>, lockOpts: { wait?: boolean } = {}): Promise<T> {
    if (lockOpts.wait === false && held > 0) throw new YamlStoreError("lock_timeout", `${path} is locked by another writer`);
    held++;
    const turn = tail.then(() => fn({ read: async () => read(), write: async (patch, opts) => write(patch, opts) }));
    tail = turn.then(
      () => held--,
      () => held--,
    );
    return turn;
  }

  return {
    path,
    read: async () => read(),
    withLock,
    write: (patch, opts) => withLock((file) => file.write(patch, opts)),
    // Pinned copies are kept in memory, for tests that check a mass deletion pinned one.
    pinBackup: async (copy) => {
      pinned.push(copy);
      return `memory:pinned:${pinned.length}`;
    },
    releasePinnedBackups: async () => pinned.splice(0).length,
    pinned: () => [...pinned],
    text: () => text,
    setText: (next) => {
      text = next;
    },
  };
}
