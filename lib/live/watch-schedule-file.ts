import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { watch, type FSWatcher } from "chokidar";

export interface ScheduleWatcherOptions {
  file: string;
  debounceMs: number;
  /** A change is reported once the file has not changed for this long (a program may be half way through writing it). */
  stableMs: number;
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
 * Watches the schedule file for hand edits. Folders are watched rather than the file, so
 * editors that save by writing a new file and renaming it over the old one keep being seen;
 * when the file is a symlink, every link of its chain and the final target are watched too, so
 * a swapped link (a Kubernetes ConfigMap's `..data`) or an edit of the target is seen.
 * Everything else in those folders (the server's temp files, backups, other files) is
 * ignored. Bursts are debounced, and content the server knows to be synced never triggers a
 * sync, so the server's own writes do not loop back.
 */
export function watchScheduleFile(options: ScheduleWatcherOptions): ScheduleWatcher {
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  let chain = new Set<string>();
  let dirs = new Set<string>();
  let watcher: FSWatcher | null = null;

  const fire = async () => {
    timer = null;
    if (closed) return;
    try {
      await follow();
      if (!options.isKnown(await fileChecksum(options.file))) await options.onChange();
    } catch (error) {
      options.onError?.(error);
    }
  };
  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void fire(), options.debounceMs);
  };

  /** Re-reads the chain of links and watches the folders it now runs through. */
  async function follow(): Promise<void> {
    const next = await linkChain(options.file);
    const nextDirs = new Set([...next].map((link) => path.dirname(link)));
    const added = [...nextDirs].filter((dir) => !dirs.has(dir));
    const removed = [...dirs].filter((dir) => !nextDirs.has(dir));
    chain = next;
    dirs = nextDirs;
    if (watcher && added.length) watcher.add(added);
    if (watcher && removed.length) await watcher.unwatch(removed);
  }

  const ready = (async () => {
    await follow();
    watcher = watch([...dirs], {
      depth: 0,
      ignoreInitial: true,
      followSymlinks: false,
      ignored: (candidate) => !dirs.has(candidate) && !chain.has(candidate),
      awaitWriteFinish: { stabilityThreshold: Math.max(25, options.stableMs), pollInterval: 25 },
    });
    watcher.on("all", (_event, changed) => {
      if (chain.has(changed)) schedule();
    });
    watcher.on("error", (error) => options.onError?.(error));
    await new Promise<void>((resolve) => watcher!.once("ready", () => resolve()));
  })();

  return {
    ready,
    close: async () => {
      closed = true;
      if (timer) clearTimeout(timer);
      await ready.catch(() => undefined);
      await watcher?.close();
    },
  };
}

/**
 * The names whose change can change what the file reads as: the file, each link of its chain,
 * a linked folder it is reached through (`..data`), and the final target. Each is written as
 * its real folder plus its own name, which is how the watcher of that folder reports it.
 */
async function linkChain(file: string): Promise<Set<string>> {
  const chain = new Set<string>();
  const add = async (entry: string) => {
    const dir = await fs.realpath(path.dirname(entry)).catch(() => path.dirname(entry));
    chain.add(path.join(dir, path.basename(entry)));
  };
  let current = path.resolve(file);
  for (let hops = 0; hops < 40; hops++) {
    await add(current);
    const parent = path.dirname(current);
    if (await isLink(parent)) await add(parent);
    let target: string;
    try {
      if (!(await isLink(current))) break;
      target = await fs.readlink(current);
    } catch {
      break; // missing: watched by its name until it appears
    }
    current = path.resolve(parent, target);
  }
  return chain;
}

async function isLink(entry: string): Promise<boolean> {
  try {
    return (await fs.lstat(entry)).isSymbolicLink();
  } catch {
    return false;
  }
}

async function fileChecksum(file: string): Promise<string | null> {
  try {
    return `sha256:${createHash("sha256").update(await fs.readFile(file)).digest("hex")}`;
  } catch {
    return null;
  }
}
