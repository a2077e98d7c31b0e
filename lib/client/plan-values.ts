import { TASK_FIELDS, changedFields, type Task, type TaskField } from "@/lib/tasks/task-fields";
import type { TaskDecision } from "@/lib/client/api-types";
import { formatFieldValue } from "./format";

export type PlanSide = "yaml" | "db";

/** One field a plan writes on one side: its value now and after the run. */
export interface ValueChange {
  field: TaskField;
  before: string;
  after: string;
  /** The side's current value is an edit made since both sides last agreed: the run throws it away. */
  discards: boolean;
}

export interface SideChange {
  side: PlanSide;
  kind: "create" | "update" | "delete";
  fields: ValueChange[];
  /** Edits (and deletions) this write throws away. */
  losses: number;
}

function fieldEqual(a: Task, b: Task, field: TaskField): boolean {
  return !changedFields(a, b).includes(field);
}

/**
 * What one decision of a dry run does to each side, value by value. For a one-sided write,
 * `base` (the last agreed version) tells a plain update (the side still held the agreed value)
 * from one that discards an edit made on that side; deleting a task always counts as a loss.
 */
export function sideChanges(decision: Exclude<TaskDecision, { action: "in_sync" | "conflict" }>, base: Task | null | undefined): SideChange[] {
  if (decision.action === "merge") {
    const changes: SideChange[] = [];
    const toYaml = decision.fromDb.filter((f) => !fieldEqual(decision.yamlBefore, decision.task, f));
    const toDb = decision.fromYaml.filter((f) => !fieldEqual(decision.dbBefore, decision.task, f));
    if (toYaml.length) changes.push({ side: "yaml", kind: "update", fields: toYaml.map((f) => value(f, decision.yamlBefore, decision.task, false)), losses: 0 });
    if (toDb.length) changes.push({ side: "db", kind: "update", fields: toDb.map((f) => value(f, decision.dbBefore, decision.task, false)), losses: 0 });
    return changes;
  }
  const side: PlanSide = decision.action === "write_yaml" ? "yaml" : "db";
  const { before, task: after } = decision;
  const edited = (field: TaskField) => before !== null && (base === null || base === undefined ? true : !fieldEqual(before, base, field));
  if (before === null) {
    return [{ side, kind: "create", fields: TASK_FIELDS.map((f) => value(f, null, after, false)), losses: 0 }];
  }
  if (after === null) {
    const fields = TASK_FIELDS.map((f) => value(f, before, null, edited(f)));
    return [{ side, kind: "delete", fields, losses: 1 }];
  }
  const fields = changedFields(before, after).map((f) => value(f, before, after, base !== undefined && edited(f)));
  return [{ side, kind: "update", fields, losses: fields.filter((f) => f.discards).length }];
}

function value(field: TaskField, before: Task | null, after: Task | null, discards: boolean): ValueChange {
  return {
    field,
    before: before ? formatFieldValue(field, before[field]) : "—",
    after: after ? formatFieldValue(field, after[field]) : "—",
    discards,
  };
}
