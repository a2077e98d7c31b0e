import { TASK_FIELDS, changedFields, type Task, type TaskField } from "../../tasks/task-schema";

export type Resolution = "keep_yaml" | "keep_db" | "merge";
export type MergeChoice = "yaml" | "db" | "same";

/** The two sides of a conflict as the reconcile recorded them; a conflict decision fits. */
export interface ConflictSides {
  id?: string;
  yaml: Task | null;
  db: Task | null;
}

/** A resolution request that cannot be honoured; `code` is what the API answers with. */
export class ResolveConflictError extends Error {
  readonly code: "merged_required" | "merged_id_mismatch";

  constructor(code: ResolveConflictError["code"], message: string) {
    super(message);
    this.name = "ResolveConflictError";
    this.code = code;
  }
}

/**
 * The value both sides (and the base) take when a conflict is resolved; `null` means the
 * task is deleted on both sides (keeping the side that deleted it).
 * `merged` must already be normalized (parsed with `taskSchema`) and carry the conflict's id.
 *
 * @example
 * resolutionTask({ yaml: null, db: dbTask }, "keep_yaml")           // → null: delete everywhere
 * resolutionTask(conflict, "merge", { ...conflict.db, schedule: "0 3 * * *" })
 */
export function resolutionTask(conflict: ConflictSides, resolution: Resolution, merged?: Task): Task | null {
  switch (resolution) {
    case "keep_yaml":
      return conflict.yaml;
    case "keep_db":
      return conflict.db;
    case "merge": {
      if (merged === undefined) {
        throw new ResolveConflictError("merged_required", "a merge resolution needs the merged task");
      }
      const id = conflict.id ?? conflict.yaml?.id ?? conflict.db?.id;
      if (merged.id !== id) {
        throw new ResolveConflictError("merged_id_mismatch", `the merged task has id "${merged.id}", the conflict is about "${id}"`);
      }
      return merged;
    }
  }
}

export interface MergeProposal {
  /** The suggested merged task: each field from the side that changed it; clashes default to YAML. */
  task: Task;
  /** Where each field's suggested value comes from; `same` when both sides hold the same value. */
  choices: Record<TaskField, MergeChoice>;
  /** Fields both sides changed to different values: a person has to pick. */
  clashes: TaskField[];
}

/**
 * The automatic suggestion a merge editor starts from. Without a base (both sides created
 * the task) every differing field is a clash, since nothing tells which side changed it.
 *
 * @example
 * proposeMerge(base, { ...base, schedule: "0 3 * * *" }, { ...base, enabled: false })
 * // → task with both edits, choices.schedule === "yaml", choices.enabled === "db", clashes: []
 */
export function proposeMerge(base: Task | null, yaml: Task, db: Task): MergeProposal {
  const differing = changedFields(yaml, db);
  const yamlChanged = base === null ? TASK_FIELDS : changedFields(base, yaml);
  const dbChanged = base === null ? TASK_FIELDS : changedFields(base, db);
  const task: Task = { ...yaml };
  const choices = {} as Record<TaskField, MergeChoice>;
  const clashes: TaskField[] = [];
  for (const field of TASK_FIELDS) {
    if (!differing.includes(field)) {
      choices[field] = "same";
    } else if (yamlChanged.includes(field) && dbChanged.includes(field)) {
      choices[field] = "yaml";
      clashes.push(field);
    } else if (dbChanged.includes(field)) {
      choices[field] = "db";
      copyField(task, db, field);
    } else {
      choices[field] = "yaml";
    }
  }
  return { task, choices, clashes };
}

function copyField<K extends TaskField>(to: Task, from: Task, field: K): void {
  to[field] = from[field];
}
