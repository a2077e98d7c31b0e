import type { Actor } from "../../people/actor";
import { tasksEqual, type Task } from "../../tasks/task-schema";
import { applyPlan, yamlTasksOf, type DbEdit } from "./apply-plan";
import type { EngineParts } from "./engine-parts";
import { notFound } from "./sync-errors";

/** One task a restore changes: how each side holds it now, and what it becomes. */
export interface RestoreChange {
  taskId: string;
  yaml: Task | null;
  db: Task | null;
  after: Task | null;
}

export interface RestoreResult {
  revisionId: string;
  dryRun: boolean;
  /** The tasks that differ from the revision on either side. */
  changes: RestoreChange[];
  /** The run that wrote it (null for a dry run). */
  runId: string | null;
}

/**
 * Puts both sides back to a file revision on purpose (issue #17): a deliberate rollback, unlike a
 * file saved from an older version, which lineage does not let revert anything. A dry run
 * answers the plan; otherwise the revision's tasks go to the DB and a forced DB→file run of the
 * same transaction writes them to the file, moves the base and closes the conflicts of those
 * tasks: one run (trigger `restore`), recorded with its per-task changes.
 */
export function restoreRevision(parts: EngineParts, revisionId: string, dryRun: boolean, actor?: Actor): Promise<RestoreResult> {
  return parts.mutex.run(async () => {
    const startedAt = Date.now();
    const outcome = await parts.locked(async (ctx) => {
      const revision = await ctx.tx.getRevision(revisionId);
      if (!revision) throw notFound("Revision", revisionId);
      const target = await ctx.tx.loadRevisionTasks(revisionId);
      const yaml = yamlTasksOf(ctx.yaml, parts.path);
      const { db } = await ctx.tx.loadState();
      const ids = [...new Set([...target.keys(), ...yaml.keys(), ...db.keys()])].sort();
      const same = (a: Task | null, b: Task | null) => (a === null || b === null ? a === b : tasksEqual(a, b));
      const changes: RestoreChange[] = [];
      for (const id of ids) {
        const after = target.get(id) ?? null;
        const y = yaml.get(id) ?? null;
        const d = db.get(id) ?? null;
        if (!same(after, y) || !same(after, d)) changes.push({ taskId: id, yaml: y, db: d, after });
      }
      if (dryRun || changes.length === 0) return { changes, applied: null };
      const edits: DbEdit[] = changes.filter((c) => !same(c.db, c.after)).map((c) => ({ id: c.taskId, before: c.db, after: c.after, source: "restore" }));
      const applied = await applyPlan(
        ctx,
        { scope: changes.map((c) => c.taskId), trigger: "restore", actor, direction: "db_to_yaml", force: true, startedAt, edits, closeAs: "restored" },
        parts.applyEnv,
      );
      return { changes, applied };
    });
    if (outcome.applied) {
      await parts.status.published(outcome.applied, "merge");
      parts.followUp();
    }
    return { revisionId, dryRun, changes: outcome.changes, runId: outcome.applied?.runId ?? null };
  });
}
