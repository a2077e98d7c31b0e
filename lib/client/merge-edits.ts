import { changedFields, type Task, type TaskField } from "@/lib/tasks/task-fields";

/**
 * A form's edits merged field by field into a newer version saved meanwhile: the three-way
 * rule the sync applies between file and DB, for one person's save. `base` is the version
 * the form was opened on, `mine` the form's values, `theirs` the newer version.
 * - `patch`: my fields that still differ from theirs, to save over `theirs`;
 * - `theirs`: fields only they changed (kept);
 * - `clash`: fields both changed to different values (a person must pick).
 */
export interface MergedEdits {
  patch: Partial<Task>;
  mine: TaskField[];
  theirs: TaskField[];
  clash: TaskField[];
}

export function mergeEdits(base: Task, mine: Task, theirs: Task): MergedEdits {
  const myFields = changedFields(base, mine);
  const theirFields = changedFields(base, theirs);
  const differing = changedFields(mine, theirs);
  const clash = myFields.filter((f) => theirFields.includes(f) && differing.includes(f));
  const patchFields = myFields.filter((f) => !clash.includes(f) && differing.includes(f));
  return {
    patch: Object.fromEntries(patchFields.map((f) => [f, mine[f]])) as Partial<Task>,
    mine: patchFields,
    theirs: theirFields.filter((f) => !myFields.includes(f)),
    clash,
  };
}
