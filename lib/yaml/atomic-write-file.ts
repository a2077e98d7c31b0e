import { randomBytes } from "node:crypto";
import { chmod, open, readdir, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export interface AtomicWriteOptions {
  /** File mode for the new file (e.g. the mode of the file it replaces). */
  mode?: number;
  /** Runs after the temp file is written and synced, right before the rename (test hook). */
  beforeRename?: (tempPath: string) => void | Promise<void>;
  /** Last check before the rename; throw to abort (the temp file is removed). */
  assertCanRename?: () => void;
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
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => {});
    throw error;
  }
  await fsyncDirectory(dir);
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
