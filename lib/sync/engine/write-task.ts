import type { Actor } from "../../people/actor";
import type { StoredTask } from "../../tasks/stored-task";
import { tasksEqual, type Task } from "../../tasks/task-schema";
import type { ConflictRecord, SyncTransaction } from "../storage/sync-storage";
import { applyPlan, yamlTasksOf, type Applied, type Trigger } from "./apply-plan";
import type { EngineParts } from "./engine-parts";
import { notFound, SyncError } from "./sync-errors";

export type TaskWrite = (
  | { kind: "create"; task: Task }
  | { kind: "replace"; id: string; task: Task; version?: number }
  | { kind: "patch"; id: string; patch: (current: Task) => Task; version?: number }
  | { kind: "delete"; id: string; version?: number }
  | { kind: "set"; id: string; task: Task | null }
) & {
  /** Who writes (issue #18); unset: what the trigger implies. */
  actor?: Actor;
};

export interface TaskWriteResult {
  task: StoredTask | null;
  runId: string;
  /** Set when the YAML holds an unsynced hand edit of the same field(s): the DB keeps the API's value. */
  conflict: ConflictRecord | null;
  /** True when an unsynced hand edit of other fields was merged in. */
  merged: boolean;
}

/**
 * An API write as a sync of that one task: the DB takes the API's value, then the task is
 * reconciled against the YAML, so an unsynced hand edit of the same task is merged (disjoint
 * fields) or becomes a conflict, never overwritten.
 */
export async function writeTask(parts: EngineParts, write: TaskWrite, trigger: Trigger, source: string): Promise<TaskWriteResult> {
  const id = write.kind === "create" ? write.task.id : write.id;
  await parts.awaitCompleteFile();
  return parts.mutex.run(async () => {
    const startedAt = Date.now();
    const applied: Applied = await parts.locked(async (ctx) => {
      yamlTasksOf(ctx.yaml, parts.path); // an invalid file refuses the write before anything changes
      // The task's state, read once for the version check and for the reconcile.
      const state = await ctx.tx.loadState([id]);
      const before = state.db.get(id) ?? null;
      const after = await nextValue(write, before, state.versions.get(id), ctx.tx);
      const edit = before && after && tasksEqual(before, after) ? undefined : { id, before, after, source };
      // Every other task stays as it was: settled before this write means settled after it.
      const settle = parts.settled.holds(state.generation, ctx.yaml);
      const headChecksum = settle ? parts.settled.headChecksum() : null;
      return applyPlan(ctx, { scope: [id], trigger, actor: write.actor, direction: "bidirectional", force: false, startedAt, edit, state, settle, headChecksum }, parts.applyEnv);
    });
    if (applied.settled) parts.settled.set(applied.settled);
    // The file held other unsynced changes (or nothing was settled): they get their own run.
    else parts.followUp();
    await parts.status.published(applied, source === "revert" ? "revert" : "api");
    const { task, conflict } = await parts.storage.reads.loadTaskAndConflict(id);
    return { task, runId: applied.runId, conflict, merged: applied.writes.merged > 0 };
  });
}

/** The task the write asks for; the full stored row is read only for the 409 that shows it. */
async function nextValue(write: TaskWrite, current: Task | null, version: number | undefined, tx: SyncTransaction): Promise<Task | null> {
  const stored = async () => (await tx.loadTasks([current!.id])).get(current!.id) ?? null;
  if (write.kind === "create") {
    if (current) throw new SyncError("already_exists", `Task '${write.task.id}' already exists`, { details: { task: await stored() } });
    return write.task;
  }
  if (write.kind === "set") return write.task;
  if (!current) throw notFound("Task", write.id);
  if (write.version !== undefined && write.version !== version) {
    throw new SyncError("stale_version", `Task '${write.id}' changed since version ${write.version}; it is now at version ${version}`, {
      details: { current: await stored() },
    });
  }
  if (write.kind === "delete") return null;
  if (write.kind === "replace") return write.task;
  return write.patch(current);
}
