import type { Actor } from "../../people/actor";
import { taskOf } from "../../tasks/stored-task";
import { tasksEqual, type Task } from "../../tasks/task-schema";
import { ResolveConflictError, resolutionTask, type Resolution } from "../reconcile/resolve-conflict";
import { applyPlan, yamlTasksOf } from "./apply-plan";
import type { EngineParts } from "./engine-parts";
import { notFound, SyncError } from "./sync-errors";

/**
 * Resolves an open conflict on both sides at once. If either side changed since the conflict
 * was recorded, the conflict is refreshed (and that committed) and a `conflict_stale` error
 * carries the new version.
 */
export function resolveOpenConflict(parts: EngineParts, conflictId: string, resolution: Resolution, merged?: Task, actor?: Actor) {
  return parts.mutex.run(async () => {
    const startedAt = Date.now();
    const outcome = await parts.locked(async (ctx) => {
      const conflict = await ctx.tx.getConflict(conflictId);
      if (!conflict) throw notFound("Conflict", conflictId);
      if (conflict.status !== "open") throw new SyncError("conflict_closed", `Conflict ${conflictId} is already resolved (${conflict.resolution})`);
      const { taskId } = conflict;
      const dbRow = (await ctx.tx.loadTasks([taskId])).get(taskId) ?? null;
      const dbNow = dbRow ? taskOf(dbRow) : null;
      const scope = { scope: [taskId], trigger: "resolve" as const, actor, startedAt };
      if (!sameTask(yamlTasksOf(ctx.yaml, parts.path).get(taskId) ?? null, conflict.yaml) || !sameTask(dbNow, conflict.db)) {
        const applied = await applyPlan(ctx, { ...scope, direction: "bidirectional", force: false }, parts.applyEnv);
        return { stale: true as const, applied, taskId };
      }
      let target: Task | null;
      try {
        target = resolutionTask({ id: taskId, yaml: conflict.yaml, db: conflict.db }, resolution, merged);
      } catch (error) {
        if (error instanceof ResolveConflictError) throw new SyncError(error.code, error.message);
        throw error;
      }
      // The chosen version goes to the DB, then a forced DB→YAML run of this one task
      // writes it to the file, moves the base and closes the conflict.
      const edit = sameTask(dbNow, target) ? undefined : { id: taskId, before: dbNow, after: target, source: "resolve" };
      const applied = await applyPlan(ctx, { ...scope, direction: "db_to_yaml", force: true, edit, closeAs: resolution }, parts.applyEnv);
      return { stale: false as const, applied, taskId };
    });
    await parts.status.published(outcome.applied, "resolve");
    parts.followUp();
    if (outcome.stale) {
      const refreshed = (await parts.storage.reads.loadOpenConflicts([outcome.taskId])).get(outcome.taskId) ?? null;
      throw new SyncError(
        "conflict_stale",
        refreshed
          ? "A side changed after this conflict was detected; the conflict was refreshed. Review it and resolve again."
          : "A side changed after this conflict was detected and both sides now agree; nothing to resolve.",
        { details: { conflict: refreshed } },
      );
    }
    const task = (await parts.storage.reads.loadTasks([outcome.taskId])).get(outcome.taskId) ?? null;
    return { runId: outcome.applied.runId, task };
  });
}

function sameTask(a: Task | null, b: Task | null): boolean {
  return a === null || b === null ? a === b : tasksEqual(a, b);
}
