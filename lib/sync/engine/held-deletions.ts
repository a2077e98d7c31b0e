import type { Actor } from "../../people/actor";
import { tasksEqual, type Task } from "../../tasks/task-schema";
import type { Side } from "../reconcile/plan";
import type { ConflictRecord } from "../storage/sync-storage";
import { applyPlan, sourceOf, yamlTasksOf } from "./apply-plan";
import type { EngineParts } from "./engine-parts";

/** What a person decides for the deletions one side made in bulk. */
export type HeldAction = "apply" | "restore";

export interface HeldDeletion {
  taskId: string;
  /** The side whose copy is gone. */
  deletedIn: Side;
  /** The task as the other side still has it. */
  task: Task;
  conflictId: string;
  heldAt: string;
}

export interface HeldDeletionsResult {
  action: HeldAction;
  deletedIn: Side;
  /** The held deletions the decision covered. */
  taskIds: string[];
  /** Held tasks whose sides changed since they were held: left as they are (they are ordinary conflicts now). */
  skipped: string[];
  dryRun: boolean;
  runId: string | null;
}

/** A held deletion as its conflict records it: which side lost the task, and the copy the other side keeps. */
export function heldDeletionOf(conflict: ConflictRecord): HeldDeletion | null {
  if (conflict.kind !== "held_deletion" || conflict.status !== "open") return null;
  const deletedIn: Side = conflict.yaml === null ? "yaml" : "db";
  const task = deletedIn === "yaml" ? conflict.db : conflict.yaml;
  return task ? { taskId: conflict.taskId, deletedIn, task, conflictId: conflict.id, heldAt: conflict.detectedAt } : null;
}

/**
 * Decides the held deletions of one side at once, as one run: `apply` deletes those tasks on
 * the other side too, `restore` puts them back on the side that lost them. Only tasks still
 * exactly as they were held are covered; one edited meanwhile is left to the ordinary conflict
 * flow. A dry run returns what would happen and changes nothing.
 */
export function decideHeldDeletions(parts: EngineParts, deletedIn: Side, action: HeldAction, dryRun: boolean, actor?: Actor): Promise<HeldDeletionsResult> {
  return parts.mutex.run(async () => {
    const startedAt = Date.now();
    const outcome = await parts.locked(async (ctx) => {
      const yaml = yamlTasksOf(ctx.yaml, parts.path);
      const open = await ctx.tx.loadOpenConflicts();
      const held = [...open.values()].map(heldDeletionOf).filter((h): h is HeldDeletion => h !== null && h.deletedIn === deletedIn);
      // In id order, whatever order the conflicts were opened in: a list people read and compare.
      held.sort((a, b) => (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0));
      const ids = held.map((h) => h.taskId);
      const state = await ctx.tx.loadState(ids);
      const current = (h: HeldDeletion) => {
        const kept = deletedIn === "yaml" ? state.db.get(h.taskId) : yaml.get(h.taskId);
        const gone = deletedIn === "yaml" ? yaml.get(h.taskId) : state.db.get(h.taskId);
        return gone === undefined && kept !== undefined && tasksEqual(kept, h.task);
      };
      const covered = held.filter(current).map((h) => h.taskId);
      const skipped = ids.filter((id) => !covered.includes(id));
      if (dryRun || covered.length === 0) return { covered, skipped, runId: null };
      // Applying lets the deleting side win; restoring lets the side that kept the tasks win.
      const winner = (action === "apply") === (deletedIn === "yaml") ? "yaml_to_db" : "db_to_yaml";
      const applied = await applyPlan(
        ctx,
        { scope: covered, trigger: "manual", actor, direction: winner, force: true, startedAt, closeAs: action === "apply" ? "deletion_applied" : "deletion_restored" },
        parts.applyEnv,
      );
      return { covered, skipped, runId: applied.runId, applied };
    });
    if ("applied" in outcome && outcome.applied) {
      parts.followUp();
      await parts.status.published(outcome.applied, sourceOf(outcome.applied.writes));
    }
    return { action, deletedIn, taskIds: outcome.covered, skipped: outcome.skipped, dryRun, runId: outcome.runId };
  });
}
