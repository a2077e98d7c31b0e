import { tasksEqual } from "../../tasks/task-schema";
import type { Direction, Plan, TaskDecision } from "./plan";

/** What one side gains (create), changes (update) and loses (delete). */
export interface SideChangeCounts {
  create: number;
  update: number;
  delete: number;
}

export interface PlanSummary {
  direction: Direction;
  /** Number of decisions (task ids seen on any side). */
  total: number;
  inSync: number;
  /** Changes the YAML file receives, merges included. */
  toYaml: SideChangeCounts;
  /** Changes the DB receives, merges included. */
  toDb: SideChangeCounts;
  /** Merge decisions; each is also counted in `toYaml`/`toDb` for the side(s) it changes. */
  merged: number;
  /** Tasks the file renamed; each is one `toDb.update` (the row takes the new id), not a deletion and a creation. */
  renamed: number;
  conflicts: number;
}

/** A decision that writes something or records a conflict. */
export type ChangeDecision = Exclude<TaskDecision, { action: "in_sync" }>;

/**
 * Counts of a plan per action and per side, for dry runs and run records.
 * A create is a write with `before: null`, a delete a write with `task: null`.
 * A merge counts as an update on each side whose value actually changes: when both
 * sides made the same edit plus one side another, only the other side is updated.
 *
 * @example
 * summarizePlan(reconcile({ base, yaml, db }))
 * // → { direction: "bidirectional", total: 3, inSync: 1, toYaml: { create: 1, update: 0, delete: 0 },
 * //     toDb: { create: 0, update: 0, delete: 1 }, merged: 0, renamed: 0, conflicts: 0 }
 */
export function summarizePlan(plan: Plan): PlanSummary {
  const summary: PlanSummary = {
    direction: plan.direction,
    total: plan.decisions.length,
    inSync: 0,
    toYaml: { create: 0, update: 0, delete: 0 },
    toDb: { create: 0, update: 0, delete: 0 },
    merged: 0,
    renamed: 0,
    conflicts: 0,
  };
  for (const decision of plan.decisions) {
    switch (decision.action) {
      case "in_sync":
        summary.inSync++;
        break;
      case "write_yaml":
        summary.toYaml[writeKind(decision.before, decision.task)]++;
        break;
      case "write_db":
        if (decision.rename) {
          // The pair is one change of one row, counted on its new id.
          if (decision.rename.to === decision.id) {
            summary.toDb.update++;
            summary.renamed++;
          }
          break;
        }
        summary.toDb[writeKind(decision.before, decision.task)]++;
        break;
      case "merge":
        summary.merged++;
        if (!tasksEqual(decision.task, decision.yamlBefore)) summary.toYaml.update++;
        if (!tasksEqual(decision.task, decision.dbBefore)) summary.toDb.update++;
        break;
      case "conflict":
        summary.conflicts++;
        break;
    }
  }
  return summary;
}

/**
 * The decisions that change anything: writes, merges and conflicts (which open or refresh
 * a conflict record). `in_sync` decisions are left out even though they may still move the
 * base forward, so base bookkeeping must walk the whole plan.
 */
export function planChanges(plan: Plan): ChangeDecision[] {
  return plan.decisions.filter((decision): decision is ChangeDecision => decision.action !== "in_sync");
}

function writeKind(before: unknown, after: unknown): keyof SideChangeCounts {
  if (before === null) return "create";
  return after === null ? "delete" : "update";
}
