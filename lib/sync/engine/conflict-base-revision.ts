import { tasksEqual, type Task } from "../../tasks/task-schema";
import type { TaskMap } from "../reconcile/plan";
import type { ConflictWrite, SyncTransaction } from "../storage/sync-storage";
import type { FileLineage } from "./file-lineage";

/**
 * Which file revision each conflict's base comes from (issue #17), for the conflict view's "the
 * file was saved from revision …" line.
 *
 * - A conflict this run decided against the file's ancestor (its base is A, not the agreed base)
 *   names A's revision.
 * - A conflict already open with such a revision keeps it and its base when a later run refreshes
 *   it: that run sees the accepted file as the latest revision and plans against the agreed base,
 *   but the file's side still started from A, the version both sides descend from, so A stays the
 *   base a merge should be judged against.
 * - Any other conflict's base is the latest agreed version: no revision to name.
 */
export async function withBaseRevisions(
  tx: Pick<SyncTransaction, "loadOpenConflicts">,
  conflicts: readonly ConflictWrite[],
  context: { lineage: FileLineage; base: TaskMap; open: { has(id: string): boolean } },
): Promise<ConflictWrite[]> {
  const { lineage, base, open } = context;
  const rebased = (c: ConflictWrite) => {
    const revision = lineage.ancestorRevisions.get(c.taskId);
    if (!revision || !lineage.ancestorTasks.has(c.taskId)) return null;
    const a = lineage.ancestorTasks.get(c.taskId) ?? null;
    // reconcileWithLineage may keep the agreed base (a task the file holds closer to the latest).
    return same(c.base, a) && !same(a, base.get(c.taskId) ?? null) ? revision : null;
  };
  const refreshed = conflicts.filter((c) => open.has(c.taskId) && !rebased(c)).map((c) => c.taskId);
  const stored = refreshed.length > 0 ? await tx.loadOpenConflicts(refreshed) : new Map();
  return conflicts.map((c) => {
    const revision = rebased(c);
    if (revision) return { ...c, baseRevision: revision };
    const earlier = stored.get(c.taskId);
    if (earlier?.baseRevision && earlier.kind === c.kind) return { ...c, base: earlier.base, baseRevision: earlier.baseRevision };
    return { ...c, baseRevision: null };
  });
}

function same(a: Task | null, b: Task | null): boolean {
  return a === null || b === null ? a === b : tasksEqual(a, b);
}
