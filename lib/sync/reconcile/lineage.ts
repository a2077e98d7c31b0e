import { changedFields, TASK_FIELDS, tasksEqual, type Task } from "../../tasks/task-schema";
import type { Plan, ReconcileInput, ReconcileOptions } from "./plan";
import { reconcile } from "./reconcile";

/**
 * File lineage (docs/ARCHITECTURE.md, "Lineage"). Pure: no I/O. A changed file may derive from
 * an older revision than the latest one the server wrote or accepted (a stale editor buffer, a
 * script, `git checkout`/`stash`/`reset`, a deploy's pull). Its ancestor is the known revision
 * that explains the most of its tasks; tasks the file holds as they were in the ancestor are not
 * edits.
 */

/** One revision's delta against its parent: per task, digests and values before and after (null: absent). */
export interface DigestDelta {
  id: string;
  /** The revision this delta leads from; null when that one is not stored. */
  parentId: string | null;
  /**
   * The server wrote this revision (a dashboard or API change, a merge), rather than accepting a
   * file. Default true. Field-level evidence counts only for those: a file lacking one field of a
   * change the file itself made is as likely a person's edit as an old copy.
   */
  byServer?: boolean;
  changes: readonly (readonly [taskId: string, before: string | null, after: string | null, beforeTask: Task | null, afterTask: Task | null])[];
}

export interface AncestorInput {
  /** The newest revision: the delta list starts with its delta. */
  latestId: string;
  /** The deltas of the stored revisions, newest first, each leading to the one before it. */
  deltas: readonly DigestDelta[];
  /** A task as the file holds it (null: not in the file), and its digest. */
  file(taskId: string): { task: Task | null; digest: string | null };
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
 * delta at a time, it scores each revision by how many of the file's tasks it explains (the file
 * holds the task with the revision's digest; a task the file lacks counts for none) compared with the latest,
 * and, between revisions that explain as many, by how many fields of the tasks the server changed
 * agree (a stale buffer that edited one field of a task the dashboard changed since explains no
 * whole task, but more of its fields). The best score wins when it is better than the latest's (ties go to the
 * older revision); otherwise the latest stands, which is the behaviour without lineage. Costs O(sum of the stored
 * deltas), never O(tasks).
 *
 * @example
 * // The dashboard changed `a` (revision r2); the file was saved from r1 with an edit to `b`.
 * findAncestor({ latestId: "r2", deltas: [{ id: "r2", parentId: "r1", changes: [["a", "a1", "a2", a1, a2]] }], file })
 * // → { id: "r1", behind: 1, gain: 1, rebase: ["a"] }
 */
export function findAncestor(input: AncestorInput): Ancestor {
  type Version = { digest: string | null; task: Task | null };
  const latest = new Map<string, Version>();
  const at = new Map<string, Version>();
  const file = new Map<string, { task: Task | null; digest: string | null }>();
  const fileOf = (id: string) => {
    let held = file.get(id);
    if (!held) file.set(id, (held = input.file(id)));
    return held;
  };
  let gain = 0;
  let fields = 0;
  let best: { id: string; behind: number; gain: number; fields: number; at: Map<string, Version> } | null = null;
  let behind = 0;
  let expected = input.latestId;
  for (const delta of input.deltas) {
    // A gap in the chain (pruned, or written out of order): nothing older can be rebuilt.
    if (delta.id !== expected || delta.parentId === null) break;
    for (const [taskId, before, after, beforeTask, afterTask] of delta.changes) {
      if (!latest.has(taskId)) latest.set(taskId, { digest: after, task: afterTask });
      const y = fileOf(taskId);
      const l = latest.get(taskId)!;
      const previous = at.get(taskId) ?? l;
      const next = { digest: before, task: beforeTask };
      gain += score(y.digest, next.digest, l.digest) - score(y.digest, previous.digest, l.digest);
      if (delta.byServer !== false) fields += agreement(y.task, next.task) - agreement(y.task, previous.task);
      at.set(taskId, next);
    }
    behind++;
    expected = delta.parentId;
    // Better than the latest: more tasks explained, or as many and more fields.
    const better = gain > 0 || (gain === 0 && fields > 0);
    // Ties go to the older revision: a task the file changed and that moved between the two is
    // then judged against the older version, and a clash is a conflict rather than an overwrite.
    if (better && (!best || gain > best.gain || (gain === best.gain && fields >= best.fields))) {
      best = { id: delta.parentId, behind, gain, fields, at: new Map(at) };
    }
  }
  if (!best) return { id: input.latestId, behind: 0, gain: 0, rebase: [] };
  const rebase: string[] = [];
  for (const [taskId, version] of best.at) {
    const l = latest.get(taskId)!.digest;
    if (version.digest !== l && fileOf(taskId).digest !== l) rebase.push(taskId);
  }
  return { id: best.id, behind: best.behind, gain: best.gain, rebase: rebase.sort() };
}

/**
 * Per task, beside the file's ancestor: a task whose latest change in the window was the
 * server's (a dashboard or API write) and which the file holds exactly as it was before that
 * change comes from a copy older than it, whatever the rest of the file does (a file that is
 * itself a mix: an old copy the server then wrote other tasks into). Returns A for those tasks,
 * among `ids`.
 */
export function serverReverts(input: AncestorInput, ids: readonly string[]): Map<string, Task | null> {
  const wanted = new Set(ids);
  const seen = new Set<string>();
  const out = new Map<string, Task | null>();
  let expected = input.latestId;
  for (const delta of input.deltas) {
    if (delta.id !== expected || delta.parentId === null) break;
    expected = delta.parentId;
    for (const [taskId, before, , beforeTask] of delta.changes) {
      if (!wanted.has(taskId) || seen.has(taskId)) continue;
      seen.add(taskId);
      const held = input.file(taskId).digest;
      if (delta.byServer !== false && held !== null && held === before) out.set(taskId, beforeTask);
    }
  }
  return out;
}

/**
 * +1 when the file holds the task as revision R does, counted against how the latest has it.
 * Only tasks the file holds count: a task missing from the file is no evidence of its age
 * (deleting is an edit; a file replaced on purpose lacks many tasks).
 */
function score(file: string | null, revision: string | null, latest: string | null): number {
  if (file === null) return 0;
  return (file === revision ? 1 : 0) - (file === latest ? 1 : 0);
}

/**
 * How much of a task the file's version shares with a revision's: its presence, and each equal
 * field; nothing when either lacks it.
 */
function agreement(a: Task | null, b: Task | null): number {
  // `a` is the file's: a task it lacks is no evidence (see score).
  if (a === null || b === null) return 0;
  return TASK_FIELDS.length + 1 - changedFields(a, b).length;
}

export interface LineageInput extends ReconcileInput {
  /**
   * A = the tasks as the file's ancestor holds them, for the tasks to rebase (null: absent in
   * the ancestor). Every other task keeps the base as its ancestor.
   */
  ancestor: ReadonlyMap<string, Task | null>;
  /**
   * The same tasks as the latest revision holds them. A task the file holds closer to the latest
   * (fewer fields apart) than to the ancestor derives from the latest, whatever the rest of the
   * file does: it is not rebased.
   */
  latest?: ReadonlyMap<string, Task | null>;
}

export interface LineagePlan extends Plan {
  /**
   * Tasks the file held (wholly, or in some fields) as its ancestor had them while the DB moved
   * on: the DB's newer value was kept and is written back.
   */
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
  const rebased = new Map<string, Task | null>();
  for (const [id, task] of input.ancestor) {
    const y = input.yaml.get(id) ?? null;
    if (input.latest?.has(id) && distance(y, input.latest.get(id)!) < distance(y, task)) continue;
    rebased.set(id, task);
    if (task === null) base.delete(id);
    else base.set(id, task);
  }
  const plan = reconcile({ ...input, base }, options);
  // A task absent from the ancestor, the file and the DB has no decision left, yet its stored base
  // must go: decide it in sync (absent), as reconcile decides a task absent everywhere.
  const decided = new Set(plan.decisions.map((d) => d.id));
  const vanished = [...rebased.keys()].filter((id) => !decided.has(id));
  if (vanished.length > 0) {
    for (const id of vanished) plan.decisions.push({ id, action: "in_sync", task: null });
    plan.decisions.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
  const keptNewer: string[] = [];
  for (const decision of plan.decisions) {
    if (!rebased.has(decision.id)) continue;
    const a = rebased.get(decision.id)!;
    if (decision.action === "write_yaml" && same(input.yaml.get(decision.id) ?? null, a)) keptNewer.push(decision.id);
    // A merge that kept the DB's value of a field the file held older than the latest revision.
    else if (decision.action === "merge" && a !== null && keptOlderField(decision.yamlBefore, a, input.latest?.get(decision.id) ?? null, decision.task)) keptNewer.push(decision.id);
  }
  return { ...plan, keptNewer };
}

/** Some field the file holds as the ancestor had it, older than the latest revision's, took another value. */
function keptOlderField(yaml: Task, ancestor: Task, latest: Task | null, merged: Task): boolean {
  if (latest === null) return false;
  const older = changedFields(ancestor, latest).filter((field) => !changedFields(yaml, ancestor).includes(field));
  return older.some((field) => changedFields(yaml, merged).includes(field));
}

/** How many fields two versions differ in (every field, and one more, when only one is present). */
function distance(a: Task | null, b: Task | null): number {
  if (a === null || b === null) return a === b ? 0 : TASK_FIELDS.length + 1;
  return changedFields(a, b).length;
}

function same(a: Task | null, b: Task | null): boolean {
  return a === null || b === null ? a === b : tasksEqual(a, b);
}
