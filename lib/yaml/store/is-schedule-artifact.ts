import { basename, dirname, resolve, sep } from "node:path";
import { tempFilePattern } from "./atomic-write-file";

export const DEFAULT_BACKUP_DIR_NAME = ".schedule-backups";

/**
 * Whether `candidate` is one of the store's own helper files next to the schedule: a temp file
 * being written, the `<file>.lock` directory (or anything in it), or the default backup folder.
 * Pass it to a file watcher's `ignored` option.
 */
export function isScheduleArtifact(candidate: string, schedulePath: string): boolean {
  const file = resolve(candidate);
  const target = resolve(schedulePath);
  const dir = dirname(target);
  const lockDir = `${target}.lock`;
  const backupDir = resolve(dir, DEFAULT_BACKUP_DIR_NAME);
  if (file === lockDir || file.startsWith(lockDir + sep)) return true;
  if (file === backupDir || file.startsWith(backupDir + sep)) return true;
  return dirname(file) === dir && tempFilePattern(basename(target)).test(basename(file));
}
