import { reconcile } from "../reconcile/reconcile";
import type { EngineParts } from "./engine-parts";

/** How the two sides differ right now, outside open conflicts: what a sync would do. */
export interface Drift {
  /** Task id → what a bidirectional sync would do about it. */
  differing: Map<string, "write_yaml" | "write_db" | "merge">;
  /** The file's checksum and the storage's generation the answer is for. */
  checksum: string | null;
  generation: string;
  /** The file does not parse or validate: nothing can be compared until it is fixed. */
  invalid: boolean;
}

/**
 * The drift check behind "pending" in the status and the per-task sync state: the plan a
 * bidirectional run would make now, without locks or writes. Free while the settled state
 * holds (nothing changed on either side since the last settled run); otherwise one read of
 * both sides, cached until the file or the DB changes again.
 */
export function createDriftCheck(parts: EngineParts) {
  let cached: { key: string; drift: Drift } | null = null;
  return async function drift(): Promise<Drift> {
    const [read, generation] = await Promise.all([parts.store.read(), parts.storage.reads.loadGeneration()]);
    const checksum = read.status === "missing" ? null : read.checksum;
    const key = `${checksum}|${generation}`;
    if (cached?.key === key) return cached.drift;
    const drift: Drift = { differing: new Map(), checksum, generation, invalid: read.status === "invalid" };
    if (read.status === "missing") {
      // A run re-creates a missing file from the DB.
      for (const id of (await parts.storage.reads.loadState()).db.keys()) drift.differing.set(id, "write_yaml");
    } else if (read.status !== "invalid" && !parts.settled.holds(generation, read)) {
      const { base, db, open } = await parts.storage.reads.loadState();
      const plan = reconcile({ base, yaml: read.tasks, db, openConflicts: open }, { autoMerge: parts.applyEnv.autoMerge, deleteGuard: parts.applyEnv.deleteGuard ?? undefined });
      for (const decision of plan.decisions) {
        if (decision.action === "write_yaml" || decision.action === "write_db" || decision.action === "merge") drift.differing.set(decision.id, decision.action);
      }
    }
    cached = { key, drift };
    return drift;
  };
}
