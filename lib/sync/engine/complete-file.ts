import type { ScheduleStore } from "../../yaml";
import type { LoopClock } from "./convergence-loop";

/**
 * A program that writes the file in parts (a slow copy, a script writing two halves) leaves
 * for a while a file that parses and lacks the tasks still to come. Deletions read from it
 * would go through (a few) or be held (many) and be undone by the next run. So before a run,
 * a file that lost tasks since the last complete one and ends mid-line (no final line break)
 * is read again until it is complete or `waitMs` has passed. A file that ends mid-line but
 * lost nothing (an editor that writes no final line break) is read at once.
 */
export function createCompleteFileWait(deps: { store: ScheduleStore; clock: LoopClock; waitMs: number; settledCount(): number | null }) {
  let lastComplete: number | null = null;
  return async function awaitCompleteFile(): Promise<void> {
    const deadline = deps.clock.now() + deps.waitMs;
    for (;;) {
      // A file that cannot be read is the run's to report, under its lock.
      const read = await deps.store.read().catch(() => null);
      if (read?.status !== "ok") return;
      const reference = deps.settledCount() ?? lastComplete;
      const cutOff = read.text.length > 0 && !read.text.endsWith("\n") && reference !== null && read.tasks.size < reference;
      if (!cutOff) {
        if (read.text.endsWith("\n")) lastComplete = read.tasks.size;
        return;
      }
      if (deps.clock.now() >= deadline) return;
      await new Promise((resolve) => deps.clock.setTimeout(() => resolve(undefined), 100));
    }
  };
}
