import { randomBytes } from "node:crypto";
import { chmod, link, open, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export interface AtomicWriteOptions {
  /** File mode for the new file (e.g. the mode of the file it replaces). */
  mode?: number;
  /** Runs after the temp file is written and synced, right before the rename (test hook). */
  beforeRename?: (tempPath: string) => void | Promise<void>;
  /** Last check before the rename; throw to abort (the temp file is removed). */
  assertCanRename?: () => void;
  /**
   * The content the new file was made from (null: there was no file). The write replaces only
   * that: if another writer, one that does not take the lock, changed the file since, nothing
   * of theirs is replaced and the write fails with FileChangedError (see replaceOnly).
   */
  expected?: Uint8Array | null;
  /** What this writer knows of who else writes the file; kept up to date by each write. */
  activity?: WriteActivity;
}

/**
 * Who has been writing the file lately, as one writer (a store) sees it across its writes: the
 * modification time its own last write left, and the latest one it found that was not its own.
 */
export interface WriteActivity {
  ownMtimeMs?: number;
  othersMtimeMs?: number;
}

/** The file changed under a write that was to replace only what it had read; nothing of the other writer's was lost. */
export class FileChangedError extends Error {
  override name = "FileChangedError";
}

/** `.<basename>.<pid>.<hex>.tmp` in the same folder: a watcher can ignore it by name. */
export function tempFileName(targetBase: string): string {
  return `.${targetBase}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
}

export function tempFilePattern(targetBase: string): RegExp {
  return new RegExp(`^\\.${escapeRegExp(targetBase)}\\.\\d+\\.[0-9a-f]+\\.tmp$`);
}

/**
 * Replaces `path` with `data` so that a crash at any point leaves either the old or the new
 * file, never a partial one: write a temp file in the same folder, fsync it, rename it over the
 * target, fsync the folder.
 */
export async function atomicWriteFile(path: string, data: Uint8Array, opts: AtomicWriteOptions = {}): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, tempFileName(basename(path)));
  try {
    const handle = await open(temp, "wx", opts.mode ?? 0o644);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (opts.mode !== undefined) await chmod(temp, opts.mode); // the umask may have narrowed it
    await opts.beforeRename?.(temp);
    opts.assertCanRename?.();
    // Taken before the rename: afterwards someone else may already be writing to it.
    const own = opts.activity ? (await stat(temp)).mtimeMs : undefined;
    if (opts.expected === undefined) await rename(temp, path);
    else await replaceOnly(path, temp, data, opts.expected, opts.mode, opts.activity);
    await fsyncDirectory(dir);
    if (opts.activity) opts.activity.ownMtimeMs = own;
  } catch (error) {
    await rm(temp, { force: true }).catch(() => {});
    throw error;
  }
}

/**
 * Renames `temp` over `path` only if `path` still holds `expected`, and keeps whatever another
 * writer put there meanwhile. Writers that do not take the lock (a script, an editor) can
 * replace or rewrite the file at any moment, and a plain rename would throw their version
 * away. So the current file is first hard-linked to a side name, which holds on to it whatever
 * happens to the path: if it differs from what the new file was made from, nothing is renamed.
 * After the rename the side copy is compared again, which catches a writer that rewrote the
 * file in place in the meantime; its content is then put back. Either way FileChangedError
 * says the caller must read the file again. A writer that renames its own file over the path
 * in the microseconds between the link and the rename is the one case left; it is replaced.
 */
async function replaceOnly(path: string, temp: string, data: Uint8Array, expected: Uint8Array | null, mode: number | undefined, activity: WriteActivity | undefined): Promise<void> {
  const side = join(dirname(path), tempFileName(basename(path)));
  const linked = await link(path, side).then(
    () => "linked" as const,
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return "missing" as const;
      // A file system without hard links: compare by reading, which narrows the window less.
      if (NO_HARD_LINKS.has(error.code ?? "")) return "unlinkable" as const;
      throw error;
    },
  );
  try {
    const current = linked === "linked" ? await readFile(side) : linked === "missing" ? null : await readIfExists(path);
    if (!sameBytes(current, expected)) throw new FileChangedError(`${basename(path)} changed while it was being written`);
    // Someone else wrote the file within the last second: they may be writing it still. A writer's
    // own previous write is not that (consecutive server writes would each wait for nothing).
    const written = linked === "linked" ? (await stat(side)).mtimeMs : null;
    if (activity && written !== null && written !== activity.ownMtimeMs) activity.othersMtimeMs = Math.max(activity.othersMtimeMs ?? 0, written);
    const byOthers = activity ? activity.othersMtimeMs : written;
    const busy = written !== null && byOthers !== undefined && byOthers !== null && Date.now() - byOthers < BUSY_MS;
    await rename(temp, path);
    if (linked !== "linked") return;
    // A writer that opened the old file just before the rename may write to it a moment later
    // (an append is an open, then a write; a busy machine can pause a process in between). The
    // folder's fsync comes first, which the write needs anyway; a file written within the last
    // second is looked at once more a little later. A write landing later still is lost.
    await fsyncDirectory(dirname(path));
    let after = await readFile(side);
    if (busy && sameBytes(after, expected)) {
      await new Promise((resolve) => setTimeout(resolve, LATE_WRITE_MS));
      after = await readFile(side);
    }
    if (sameBytes(after, expected)) return;
    // Rewritten in place while the new file was renamed over it: their version goes back, over
    // ours only (they may be writing to the new file by now; then that one stays, and the caller
    // reads it again either way).
    await atomicWriteFile(path, after, { mode, expected: data });
    throw new FileChangedError(`${basename(path)} was rewritten while it was being replaced; that version was kept`);
  } finally {
    if (linked === "linked") await rm(side, { force: true }).catch(() => {});
  }
}

/** A file written this recently may still be being written by someone; the check after the rename waits this long for their write. */
const BUSY_MS = 1000;
const LATE_WRITE_MS = 25;

const NO_HARD_LINKS = new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "EXDEV", "EMLINK", "ENOSYS"]);

async function readIfExists(path: string): Promise<Uint8Array | null> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

function sameBytes(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === null || b === null) return a === b;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

/** Removes temp files left by writers that died between writing and renaming. Call only while holding the lock. */
export async function removeOrphanTempFiles(path: string): Promise<string[]> {
  const dir = dirname(path);
  const pattern = tempFilePattern(basename(path));
  const names = (await readdir(dir)).filter((name) => pattern.test(name));
  await Promise.all(names.map((name) => rm(join(dir, name), { force: true })));
  return names;
}

async function fsyncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch (error) {
    // Some platforms and file systems cannot fsync a directory; the rename is still atomic there.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "EINVAL" && code !== "EISDIR" && code !== "EPERM" && code !== "EBADF" && code !== "ENOTSUP") throw error;
  } finally {
    await handle?.close();
  }
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
