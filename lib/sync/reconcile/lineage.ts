import { tasksEqual, type Task } from "../../tasks/task-schema";
import type { Plan, ReconcileInput, ReconcileOptions } from "./plan";
import { reconcile } from "./reconcile";

/**
 * File lineage (docs/ARCHITECTURE.md, "Lineage"). Pure: no I/O. A changed file may derive from
 * an older revision than the latest one the server wrote or accepted (a stale editor buffer, a
 * script, `git checkout`/`stash`/`reset`, a deploy's pull). Its ancestor is the known revision
 * that explains the most of its tasks; tasks the file holds as they were in the ancestor are not
 * edits.
 */

/** One revision's delta against its parent as per-task digests (null: absent). */
export interface DigestDelta {
  id: string;
  /** The revision this delta leads from; null when that one is not stored. */
  parentId: string | null;
  changes: readonly (readonly [taskId: string, before: string | null, after: string | null])[];
}

export interface AncestorInput {
  /** The newest revision: the delta list starts with its delta. */
  latestId: string;
  /** The deltas of the stored revisions, newest first, each leading to the one before it. */
  deltas: readonly DigestDelta[];
  /** The digest of a task as the file holds it (null: not in the file). */
  fileDigest(taskId: string): string | null;
}

export interface Ancestor {
  /** The revision the file derives from (`latestId` when none explains it better). */
  id: string;
  /** How many revisions older than the latest it is (0: the latest). */
  behind: number;
  /** How many more of the file's tasks it explains than the latest does. */
  gain: number;
  /**
   * The tasks whose value in the ancestor differs from the latest revision's and which the file
   * does not hold as the latest has them: only there does the ancestor change a decision.
   */
  rebase: string[];
}

/**
 * Finds the revision a file derives from: walking back from the latest revision, undoing one
 * delta at a time, it scores each revision by how many tasks it explains (the file holds the task
 * with the revision's digest; absent in both counts) compared with the latest. The best score
 * wins when it is above zero (ties go to the newer revision); otherwise the latest stands, which
 * is the behaviour without lineage. Costs O(sum of the stored deltas), never O(tasks).
 *
 * @example
 * // The dashboard changed `a` (revision 2); the file was saved from revision 1 with an edit to `b`.
 * findAncestor({ latestId: "r2", deltas: [{ id: "r2", parentId: "r1", changes: [["a", "a1", "a2"]] }], fileDigest: (id) => ({ a: "a1", b: "b9" })[id] ?? null })
 * // → { id: "r1", behind: 1, gain: 1, rebase: ["a"] }
 */
export function findAncestor(input: AncestorInput): Ancestor {
  const latest = new Map<string, string | null>();
  const at = new Map<string, string | null>();
  const file = new Map<string, string | null>();
  const digestOfFile = (id: string) => {
    if (!file.has(id)) file.set(id, input.fileDigest(id));
    return file.get(id)!;
  };
  let gain = 0;
  let best: { id: string; behind: number; gain: number; at: Map<string, string | null> } | null = null;
  let behind = 0;
  let expected = input.latestId;
  for (const delta of input.deltas) {
    // A gap in the chain (pruned, or written out of order): nothing older can be rebuilt.
    if (delta.id !== expected || delta.parentId === null) break;
    for (const [taskId, before, after] of delta.changes) {
      if (!latest.has(taskId)) latest.set(taskId, after);
      const y = digestOfFile(taskId);
      const l = latest.get(taskId)!;
      const previous = at.has(taskId) ? at.get(taskId)! : l;
      gain += score(y, before, l) - score(y, previous, l);
      at.set(taskId, before);
    }
    behind++;
    expected = delta.parentId;
    if (gain > 0 && (!best || gain > best.gain)) best = { id: delta.parentId, behind, gain, at: new Map(at) };
  }
  if (!best) return { id: input.latestId, behind: 0, gain: 0, rebase: [] };
  const rebase: string[] = [];
  for (const [taskId, digest] of best.at) {
    const l = latest.get(taskId)!;
    if (digest !== l && digestOfFile(taskId) !== l) rebase.push(taskId);
  }
  return { id: best.id, behind: best.behind, gain: best.gain, rebase: rebase.sort() };
}

/** +1 when the file holds the task as revision R does, counted against how the latest has it. */
function score(file: string | null, revision: string | null, latest: string | null): number {
  return (file === revision ? 1 : 0) - (file === latest ? 1 : 0);
}

export interface LineageInput extends ReconcileInput {
  /**
   * A = the tasks as the file's ancestor holds them, for the tasks to rebase (null: absent in
   * the ancestor). Every other task keeps the base as its ancestor.
   */
  ancestor: ReadonlyMap<string, Task | null>;
}

export interface LineagePlan extends Plan {
  /** Tasks the file held as its ancestor had them while the DB moved on: the DB's value was kept and is written back. */
  keptNewer: string[];
}

/**
 * The three-way reconcile with the file's ancestor as the YAML side's base, per task with
 * A = ancestor, Y = file, D = DB:
 * - Y = A: the file did not change the task; D stays and is written back to the file
 *   (`write_yaml`, listed in `keptNewer`: "older in the file, kept the newer value");
 * - Y ≠ A: the file changed it; three-way between A, Y and D, field by field: disjoint
 *   fields merge, the same field changed differently is a conflict whose base is A.
 * Tasks outside `ancestor` are decided exactly as `reconcile` decides them.
 */
export function reconcileWithLineage(input: LineageInput, options: ReconcileOptions = {}): LineagePlan {
  const direction = options.direction ?? "bidirectional";
  // A one-sided direction declares a winner: the file's history does not matter then.
  if (input.ancestor.size === 0 || direction !== "bidirectional") return { ...reconcile(input, options), keptNewer: [] };
  const base = new Map(input.base);
  for (const [id, task] of input.ancestor) {
    if (task === null) base.delete(id);
    else base.set(id, task);
  }
  const plan = reconcile({ ...input, base }, options);
  const keptNewer: string[] = [];
  for (const decision of plan.decisions) {
    if (decision.action !== "write_yaml" || !input.ancestor.has(decision.id)) continue;
    if (same(input.yaml.get(decision.id) ?? null, input.ancestor.get(decision.id)!)) keptNewer.push(decision.id);
  }
  return { ...plan, keptNewer };
}

function same(a: Task | null, b: Task | null): boolean {
  return a === null || b === null ? a === b : tasksEqual(a, b);
}
