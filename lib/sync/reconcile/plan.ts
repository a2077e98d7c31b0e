import type { Task, TaskField } from "../../tasks/task-schema";

/**
 * The data the reconcile core works on and returns. Pure types: no I/O here.
 *
 * A `TaskMap` holds normalized tasks by id; a task absent from a map is "absent"
 * on that side (deleted, or never created), and absence is compared like a value.
 */
export type TaskMap = ReadonlyMap<string, Task>;

export type Side = "yaml" | "db";
export type Direction = "bidirectional" | "yaml_to_db" | "db_to_yaml";

export type ConflictKind =
  /** Both sides changed the same field(s) to different values. */
  | "both_modified"
  /** YAML modified the task, DB deleted it. */
  | "modify_delete"
  /** YAML deleted the task, DB modified it. */
  | "delete_modify"
  /** Created on both sides (no base) with different values in the same field(s). */
  | "both_created"
  /**
   * One side deleted the task as part of a mass deletion (more than the delete guard allows in
   * one run): held for a person to apply or undo; the other side still has it.
   */
  | "held_deletion";

export interface ReconcileInput {
  base: TaskMap;
  yaml: TaskMap;
  db: TaskMap;
  /**
   * Tasks that have an open conflict (with its kind, when known): left untouched unless the
   * sides now agree or `force` is set.
   */
  openConflicts?: ReadonlySet<string> | ReadonlyMap<string, ConflictKind>;
}

export interface ReconcileOptions {
  direction?: Direction;
  /** With a one-sided direction, that side also wins open conflicts. */
  force?: boolean;
  /** Merge field by field when both sides changed disjoint fields (SYNC_AUTO_MERGE). Default true. */
  autoMerge?: boolean;
  /** Bidirectional runs hold one side's deletions when they are more than this many and this share of the tasks. */
  deleteGuard?: DeleteGuard;
}

/** A side deleting more than `count` tasks and more than `fraction` of them in one run is a mass deletion. */
export interface DeleteGuard {
  count: number;
  fraction: number;
  /** How many tasks each side holds now, when the maps are a scope of them (default: the maps' sizes). */
  yamlTasks?: number;
  dbTasks?: number;
}

/**
 * One decision per task id seen in any of base, YAML or DB, or listed in `openConflicts`
 * (a conflict on a task now absent everywhere gets `in_sync` with `task: null`, so it closes).
 * `task: null` means "absent": write a deletion / record a deletion.
 * Every non-conflict decision also sets the base to its final `task` (null → base removed).
 */
export type TaskDecision =
  /** Both sides already equal (both may be absent). `task` is the agreed value. */
  | { id: string; action: "in_sync"; task: Task | null }
  /** DB changed (or wins by direction): write `task` to YAML; `before` is YAML's current value. */
  | { id: string; action: "write_yaml"; task: Task | null; before: Task | null }
  /**
   * YAML changed (or wins by direction): write `task` to DB; `before` is DB's current value.
   * `rename` links the deletion of `from` and the creation of `to` that the file made by
   * renaming a task (detect-renames.ts): both decisions carry it, and the DB renames the row.
   */
  | { id: string; action: "write_db"; task: Task | null; before: Task | null; rename?: RenameLink }
  /** Both changed disjoint fields: write the merged `task` to both sides. */
  | {
      id: string;
      action: "merge";
      task: Task;
      yamlBefore: Task;
      dbBefore: Task;
      fromYaml: TaskField[];
      fromDb: TaskField[];
    }
  /** Both changed incompatibly: leave both sides untouched, record a conflict. */
  | {
      id: string;
      action: "conflict";
      kind: ConflictKind;
      base: Task | null;
      yaml: Task | null;
      db: Task | null;
      /** Fields whose YAML and DB values differ (all fields when one side is absent). */
      fields: TaskField[];
    };

export type DecisionAction = TaskDecision["action"];

/** A task whose id changed from `from` to `to` while every other field stayed. */
export interface RenameLink {
  from: string;
  to: string;
}

export interface Plan {
  direction: Direction;
  /** Decisions sorted by task id, one per id. */
  decisions: TaskDecision[];
}

/** A conflict as a run records it: the three sides and the fields where YAML and DB differ. */
export interface ConflictWrite {
  taskId: string;
  kind: ConflictKind;
  base: Task | null;
  yaml: Task | null;
  db: Task | null;
  fields: string[];
}

/**
 * One side's change of one task in a run (null: absent before, or deleted). A `rename` is
 * recorded under the new id; `before` holds the task under its old id, `after` under the new.
 */
export interface ChangeRecord {
  taskId: string;
  side: Side;
  action: "create" | "update" | "delete" | "rename";
  before: Task | null;
  after: Task | null;
}
