import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
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
  await mkdir(opts.dir, { recursive: true });
  const stamp = (opts.now ?? new Date()).toISOString().replace(/:/g, "-");
  let file = "";
  for (let n = 0; ; n++) {
    file = join(opts.dir, n === 0 ? `${opts.name}.${stamp}.bak` : `${opts.name}.${stamp}.${n}.bak`);
    try {
      await writeFile(file, data, { flag: "wx", mode: opts.mode ?? 0o644 });
      break;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // A write that failed half way (disk full) must not leave a truncated copy that looks like a backup.
      if (code !== "EEXIST") await rm(file, { force: true }).catch(() => undefined);
      if (code !== "EEXIST" || n > 1000) throw error;
    }
  }
  await pruneBackups(opts.dir, opts.name, opts.keep);
  return file;
}

/** Backups of `name` in `dir`, oldest first. */
export async function listBackups(dir: string, name: string): Promise<string[]> {
  const pattern = new RegExp(`^${escapeRegExp(name)}\\.(\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d\\.\\d{3}Z)(?:\\.(\\d+))?\\.bak$`);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  return names
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
