import { mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { escapeRegExp } from "./atomic-write-file";

export interface BackupOptions {
  dir: string;
  /** Base name of the file backed up; backups are `<name>.<UTC timestamp>[.<n>].bak`. */
  name: string;
  /** How many backups to keep (older ones are removed). */
  keep: number;
  mode?: number;
  now?: Date;
}

/** Writes a timestamped copy of `data` and prunes old copies; returns the backup's path. */
export async function writeBackup(data: Uint8Array, opts: BackupOptions): Promise<string> {
  const file = await writeCopy(data, opts, "bak");
  await pruneBackups(opts.dir, opts.name, opts.keep);
  return file;
}

/**
 * Writes a copy that pruning never removes (`<name>.<stamp>.pinned.bak`): the file before a mass
 * deletion was held, kept until a person decides it (releasePinnedBackups).
 */
export function pinBackup(data: Uint8Array, opts: Omit<BackupOptions, "keep">): Promise<string> {
  return writeCopy(data, opts, "pinned.bak");
}

/** Turns the pinned copies into ordinary backups, which then rotate out as usual; returns how many there were. */
export async function releasePinnedBackups(opts: Pick<BackupOptions, "dir" | "name" | "keep">): Promise<number> {
  const pinned = (await backupNames(opts.dir)).filter((file) => file.startsWith(`${opts.name}.`) && file.endsWith(".pinned.bak"));
  for (const file of pinned) await rename(join(opts.dir, file), join(opts.dir, `${file.slice(0, -".pinned.bak".length)}.bak`));
  if (pinned.length > 0) await pruneBackups(opts.dir, opts.name, opts.keep);
  return pinned.length;
}

async function writeCopy(data: Uint8Array, opts: Omit<BackupOptions, "keep">, suffix: string): Promise<string> {
  await mkdir(opts.dir, { recursive: true });
  const stamp = (opts.now ?? new Date()).toISOString().replace(/:/g, "-");
  for (let n = 0; ; n++) {
    const file = join(opts.dir, n === 0 ? `${opts.name}.${stamp}.${suffix}` : `${opts.name}.${stamp}.${n}.${suffix}`);
    try {
      await writeFile(file, data, { flag: "wx", mode: opts.mode ?? 0o644 });
      return file;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // A write that failed half way (disk full) must not leave a truncated copy that looks like a backup.
      if (code !== "EEXIST") await rm(file, { force: true }).catch(() => undefined);
      if (code !== "EEXIST" || n > 1000) throw error;
    }
  }
}

async function backupNames(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

/** Backups of `name` in `dir`, oldest first. */
export async function listBackups(dir: string, name: string): Promise<string[]> {
  const pattern = new RegExp(`^${escapeRegExp(name)}\\.(\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d\\.\\d{3}Z)(?:\\.(\\d+))?\\.bak$`);
  return (await backupNames(dir))
    .map((file) => ({ file, match: pattern.exec(file) }))
    .filter((entry): entry is { file: string; match: RegExpExecArray } => entry.match !== null)
    .sort((a, b) => a.match[1]!.localeCompare(b.match[1]!) || Number(a.match[2] ?? 0) - Number(b.match[2] ?? 0))
    .map((entry) => join(dir, entry.file));
}

async function pruneBackups(dir: string, name: string, keep: number): Promise<void> {
  const backups = await listBackups(dir, name);
  const old = backups.slice(0, Math.max(0, backups.length - keep));
  await Promise.all(old.map((file) => rm(file, { force: true })));
}
