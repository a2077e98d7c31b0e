import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { watch, type FSWatcher } from "chokidar";

export interface ScheduleWatcherOptions {
  file: string;
  debounceMs: number;
  /** True for content whose every task is synced (the server's own writes): such a change is ignored. */
  isKnown(checksum: string | null): boolean;
  /** The file changed to content not known to be synced: mark the sync dirty. */
  onChange(): Promise<unknown> | void;
  onError?(error: unknown): void;
}

export interface ScheduleWatcher {
  close(): Promise<void>;
  ready: Promise<void>;
}

/**
 * Watches the schedule file for hand edits. The folder is watched rather than the file,
 * so editors that save by writing a new file and renaming it over the old one keep
 * being seen; everything else in the folder (our temp files, backups, other files) is
 * ignored. Bursts are debounced, and a checksum the server already knows never
 * triggers a sync, so the server's own writes do not loop back.
 */
export function watchScheduleFile(options: ScheduleWatcherOptions): ScheduleWatcher {
  const dir = path.dirname(options.file);
  const name = path.basename(options.file);
  let timer: NodeJS.Timeout | null = null;
  let closed = false;

  const fire = async () => {
    timer = null;
    if (closed) return;
    try {
      if (!options.isKnown(await fileChecksum(options.file))) await options.onChange();
    } catch (error) {
      options.onError?.(error);
    }
  };
  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void fire(), options.debounceMs);
  };

  const watcher: FSWatcher = watch(dir, {
    depth: 0,
    ignoreInitial: true,
    ignored: (candidate) => candidate !== dir && path.basename(candidate) !== name,
    awaitWriteFinish: { stabilityThreshold: Math.max(50, options.debounceMs), pollInterval: 25 },
  });
  watcher.on("all", (_event, changed) => {
    if (path.basename(changed) === name) schedule();
  });
  watcher.on("error", (error) => options.onError?.(error));
  const ready = new Promise<void>((resolve) => watcher.once("ready", () => resolve()));

  return {
    ready,
    close: async () => {
      closed = true;
      if (timer) clearTimeout(timer);
      await watcher.close();
    },
  };
}

async function fileChecksum(file: string): Promise<string | null> {
  try {
    return `sha256:${createHash("sha256").update(await fs.readFile(file)).digest("hex")}`;
  } catch {
    return null;
  }
}
