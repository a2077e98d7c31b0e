import { tasksEqual, type Task } from "../../tasks/task-schema";
import type { ChangeRecord, ConflictWrite, Plan, TaskMap } from "./plan";

/**
 * Turns a plan into the writes each side needs: the DB statements, the YAML patch,
 * the base updates, the conflicts to open or refresh and close, and the change log.
 * Pure, so the engine's I/O stays a thin loop over these lists.
 */
export interface PlanWrites {
  dbUpserts: Task[];
  dbDeletes: string[];
  /** DB rows whose id changes from `from` to `task.id` (a rename in the file); they keep their history. */
  dbRenames: { from: string; task: Task }[];
  /** DB source label per upserted id: "yaml" for YAML-side changes, "merge" for merges. */
  dbSources: Map<string, string>;
  yamlUpserts: Task[];
  yamlDeletes: string[];
  baseSet: Task[];
  baseDelete: string[];
  conflicts: ConflictWrite[];
  /** Tasks whose open conflict is settled because both sides now agree (or a side was forced). */
  closeConflicts: string[];
  changes: ChangeRecord[];
  merged: number;
}

export function planWrites(plan: Plan, base: TaskMap, openConflicts: { has(id: string): boolean }): PlanWrites {
  const writes: PlanWrites = {
    dbUpserts: [],
    dbDeletes: [],
    dbRenames: [],
    dbSources: new Map(),
    yamlUpserts: [],
    yamlDeletes: [],
    baseSet: [],
    baseDelete: [],
    conflicts: [],
    closeConflicts: [],
    changes: [],
    merged: 0,
  };

  const agree = (id: string, task: Task | null) => {
    const current = base.get(id) ?? null;
    if (task === null) {
      if (current) writes.baseDelete.push(id);
    } else if (!current || !tasksEqual(current, task)) {
      writes.baseSet.push(task);
    }
    if (openConflicts.has(id)) writes.closeConflicts.push(id);
  };
  const writeDb = (id: string, before: Task | null, after: Task | null, source: string) => {
    if (after) {
      writes.dbUpserts.push(after);
      writes.dbSources.set(id, source);
    } else {
      writes.dbDeletes.push(id);
    }
    writes.changes.push(change(id, "db", before, after));
  };
  const writeYaml = (id: string, before: Task | null, after: Task | null) => {
    if (after) writes.yamlUpserts.push(after);
    else writes.yamlDeletes.push(id);
    writes.changes.push(change(id, "yaml", before, after));
  };

  // The DB's row of each renamed task, under its old id: the rename's `before`.
  // A link is applied only with both halves in the plan; a lone half is the plain write it also is.
  const renamedAway = new Map<string, Task | null>();
  const renamedTo = new Set<string>();
  for (const decision of plan.decisions) {
    if (decision.action !== "write_db" || !decision.rename) continue;
    if (decision.rename.from === decision.id && decision.task === null) renamedAway.set(decision.id, decision.before);
    else if (decision.rename.to === decision.id && decision.task !== null) renamedTo.add(decision.rename.from);
  }

  for (const decision of plan.decisions) {
    switch (decision.action) {
      case "in_sync":
        agree(decision.id, decision.task);
        break;
      case "write_db":
        if (decision.rename && decision.task !== null && renamedAway.get(decision.rename.from) && renamedTo.has(decision.rename.from)) {
          // One write for the pair: the old row takes the new id; the old id's decision only moves the base.
          writes.dbRenames.push({ from: decision.rename.from, task: decision.task });
          writes.changes.push({ taskId: decision.id, side: "db", action: "rename", before: renamedAway.get(decision.rename.from)!, after: decision.task });
          agree(decision.id, decision.task);
          break;
        }
        if (decision.rename && decision.task === null && renamedTo.has(decision.id)) {
          agree(decision.id, null);
          break;
        }
        writeDb(decision.id, decision.before, decision.task, "yaml");
        agree(decision.id, decision.task);
        break;
      case "write_yaml":
        writeYaml(decision.id, decision.before, decision.task);
        agree(decision.id, decision.task);
        break;
      case "merge":
        // Both sides may have made one identical edit; only the side that lacks something is written.
        if (!tasksEqual(decision.dbBefore, decision.task)) writeDb(decision.id, decision.dbBefore, decision.task, "merge");
        if (!tasksEqual(decision.yamlBefore, decision.task)) writeYaml(decision.id, decision.yamlBefore, decision.task);
        agree(decision.id, decision.task);
        writes.merged++;
        break;
      case "conflict":
        writes.conflicts.push({
          taskId: decision.id,
          kind: decision.kind,
          base: decision.base,
          yaml: decision.yaml,
          db: decision.db,
          fields: decision.fields,
        });
        break;
    }
  }
  return writes;
}

export function change(taskId: string, side: ChangeRecord["side"], before: Task | null, after: Task | null): ChangeRecord {
  return { taskId, side, action: before === null ? "create" : after === null ? "delete" : "update", before, after };
}

/** Whether the YAML file or the DB task rows change (base and conflict bookkeeping aside). */
export function writesTouchData(writes: PlanWrites): boolean {
  return writes.dbUpserts.length + writes.dbDeletes.length + writes.dbRenames.length + writes.yamlUpserts.length + writes.yamlDeletes.length > 0;
}
