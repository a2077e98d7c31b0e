import { TASK_FIELDS, tasksEqual, type Task } from "../../tasks/task-schema";
import type { TaskDecision, TaskMap } from "./plan";

type WriteDb = Extract<TaskDecision, { action: "write_db" }>;

/**
 * Rename detection, git's model with exact content (issue #17, "Renames"). Pure. Among the
 * decisions that write the file's changes to the DB, a deletion of X and a creation of Y form a
 * rename X → Y when:
 * - X is in the base and the DB still holds it as the base has it (the DB did not edit it);
 * - Y is in neither the base nor the DB;
 * - Y holds every field but the id as X's base does;
 * - no other deleted task and no other created task has that same content (ambiguous: left as
 *   deletion and creation, as before).
 * Both decisions get `rename: { from: X, to: Y }`; they stay `write_db`, so anything that does
 * not know renames still reads a deletion and a creation, which is what the file did. Rewrites
 * `decisions` in place and returns how many renames it linked.
 *
 * A DB that changed X meanwhile gives no rename: X stays the `delete_modify` conflict it is, so
 * the DB's edit is never lost to the rename.
 *
 * @example
 * // base and DB hold `nightly`; the file holds the same task as `nightly-dump` only.
 * detectRenames(reconcile({ base, yaml, db }).decisions, base)
 * // → the deletion of nightly and the creation of nightly-dump, linked { from: "nightly", to: "nightly-dump" }
 */
export function detectRenames(decisions: TaskDecision[], base: TaskMap): number {
  // Decision indexes by content key.
  const deleted = new Map<string, number[]>();
  const created = new Map<string, number[]>();
  decisions.forEach((decision, i) => {
    if (decision.action !== "write_db") return;
    if (decision.task === null) {
      const agreed = base.get(decision.id);
      // The DB's row must be the agreed one: a DB edit meanwhile makes this no plain deletion.
      if (agreed && decision.before && tasksEqual(decision.before, agreed)) push(deleted, contentKey(agreed), i);
    } else if (decision.before === null && !base.has(decision.id)) {
      push(created, contentKey(decision.task), i);
    }
  });
  let linked = 0;
  for (const [key, sources] of deleted) {
    const targets = created.get(key);
    if (sources.length !== 1 || targets?.length !== 1) continue;
    const source = decisions[sources[0]] as WriteDb;
    const target = decisions[targets[0]] as WriteDb;
    const rename = { from: source.id, to: target.id };
    decisions[sources[0]] = { ...source, rename };
    decisions[targets[0]] = { ...target, rename };
    linked++;
  }
  return linked;
}

/** A task's fields without its id, in a fixed order: equal keys mean equal content. */
function contentKey(task: Task): string {
  return JSON.stringify(TASK_FIELDS.map((field) => task[field]));
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
