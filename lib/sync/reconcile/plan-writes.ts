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

  for (const decision of plan.decisions) {
    switch (decision.action) {
      case "in_sync":
        agree(decision.id, decision.task);
        break;
      case "write_db":
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
  return writes.dbUpserts.length + writes.dbDeletes.length + writes.yamlUpserts.length + writes.yamlDeletes.length > 0;
}
