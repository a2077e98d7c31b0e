import { changedFields, type Task } from "../tasks/task-fields";
import type { ConflictRecord, TaskChange } from "./storage/sync-storage";

/** How a conflicting task relates to a rename (issue #17), for the conflict view. */
export interface ConflictRename {
  /** The task was renamed to its id from this one (its newest rename into it). */
  renamedFrom: string | null;
  /**
   * The file lacks the task but holds its agreed version under this other id: the file renamed
   * it while the DB changed it, so the rename could not go through without losing the DB's edit.
   */
  renamedInFileTo: string | null;
}

/**
 * Pure. `history` is the task's own history (newest first, renames followed back), `fileTasks`
 * the tasks the file holds now (null: not readable).
 */
export function conflictRename(conflict: Pick<ConflictRecord, "taskId" | "base" | "yaml">, history: readonly TaskChange[], fileTasks: ReadonlyMap<string, Task> | null): ConflictRename {
  const into = history.find((c) => c.action === "rename" && c.after?.id === conflict.taskId);
  let renamedInFileTo: string | null = null;
  if (conflict.yaml === null && conflict.base && fileTasks) {
    const base = conflict.base;
    // Only an unambiguous match names a new id, as rename detection requires.
    const matches = [...fileTasks.values()].filter((t) => t.id !== conflict.taskId && changedFields(t, base).length === 0);
    if (matches.length === 1) renamedInFileTo = matches[0].id;
  }
  return { renamedFrom: into?.before?.id ?? null, renamedInFileTo };
}
