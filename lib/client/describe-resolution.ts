import { changedFields, type Task, type TaskField } from "@/lib/tasks/task-fields";
import { FIELD_LABELS } from "./format";

export type KeepSide = "yaml" | "db";

export interface KeepOutcome {
  /** One sentence: what changes where. */
  summary: string;
  /** The task ends up deleted on both sides. */
  deletes: boolean;
  /** Fields the losing side gets overwritten. */
  fields: TaskField[];
}

const SIDE_NAME = { yaml: "YAML file", db: "database" } as const;

/**
 * What `keep_yaml` / `keep_db` would do to a conflict, in words, before anyone clicks.
 *
 * @example
 * describeKeep({ taskId: "a", yaml: y, db: d }, "yaml")
 * // → { summary: "The database takes the YAML file's version (Schedule, Tags change).", deletes: false, … }
 */
export function describeKeep(conflict: { taskId: string; yaml: Task | null; db: Task | null }, keep: KeepSide): KeepOutcome {
  const winner = keep === "yaml" ? conflict.yaml : conflict.db;
  const loser = keep === "yaml" ? conflict.db : conflict.yaml;
  const other: KeepSide = keep === "yaml" ? "db" : "yaml";
  if (!winner && !loser) return { summary: "Nothing to change: the task is absent on both sides.", deletes: false, fields: [] };
  if (!winner) {
    return {
      summary: `The ${SIDE_NAME[keep]} deleted this task, so it is deleted from the ${SIDE_NAME[other]} too.`,
      deletes: true,
      fields: [],
    };
  }
  if (!loser) {
    return { summary: `The task is restored to the ${SIDE_NAME[other]} from the ${SIDE_NAME[keep]}.`, deletes: false, fields: [] };
  }
  const fields = changedFields(loser, winner);
  return {
    summary: `The ${SIDE_NAME[other]} takes the ${SIDE_NAME[keep]}'s version${fields.length ? ` (${fields.map((f) => FIELD_LABELS[f]).join(", ")} change)` : ""}.`,
    deletes: false,
    fields,
  };
}
