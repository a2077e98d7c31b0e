import { tasksEqual, type Task } from "../../tasks/task-schema";
import type { ReadResult } from "../../yaml";
import type { Direction } from "../reconcile/plan";
import type { SyncTransaction } from "../storage/sync-storage";

/**
 * The state a committed bidirectional, unforced run left: the file (its checksum and tasks)
 * and the storage's change generation. Every task was then in sync or in an open conflict.
 */
export interface Settled {
  checksum: string;
  yaml: ReadonlyMap<string, Task>;
  generation: string;
  /** The file is the head revision (the run recorded it, or it already was): lineage need not look it up. */
  head?: boolean;
}

/** The tasks a run must reconcile, and how the settled rest counts into its summary. */
export interface UnsettledScope {
  scope: string[];
  outside: { inSync: number; conflicts: number };
}

/**
 * The incremental-scope cache. The reconcile decides each task on its own, and a task whose
 * three sides are as the last run left them gets nothing to do. So while the storage's
 * generation is where the settled state says, a run reconciles only the tasks whose YAML changed
 * since: none on a cron tick over an untouched file, a few after a hand edit, instead of reading
 * and comparing every row.
 */
export function createSettledScope() {
  let settled: Settled | null = null;
  return {
    /** The scope of a run, or null (every task) when the DB changed since, or nothing is settled. */
    async of(tx: SyncTransaction, yaml: ReadResult, direction: Direction, force: boolean): Promise<UnsettledScope | null> {
      if (direction !== "bidirectional" || force || !settled || yaml.status !== "ok") return null;
      if ((await tx.loadGeneration()) !== settled.generation) return null;
      const scope = changedIds(settled.yaml, yaml.tasks);
      return { scope, outside: await tx.countSettled(scope) };
    },
    /** Whether every task outside a one-task write is still as the settled state says. */
    holds(generation: string, yaml: ReadResult): boolean {
      return settled !== null && generation === settled.generation && yaml.status === "ok" && yaml.checksum === settled.checksum;
    },
    set(next: Settled | null) {
      settled = next;
    },
    /** How many tasks the settled file held (null: nothing settled). */
    taskCount(): number | null {
      return settled?.yaml.size ?? null;
    },
    /** The settled file's checksum when it is the head revision (null: not known to be). */
    headChecksum(): string | null {
      return settled?.head ? settled.checksum : null;
    },
    /** The checksum of the file content every task of which is synced (null: none known). */
    checksum(): string | null {
      return settled?.checksum ?? null;
    },
  };
}

/** Ids added, removed or changed between two versions of the file's tasks (unchanged tasks are usually the same objects). */
export function changedIds(before: ReadonlyMap<string, Task>, after: ReadonlyMap<string, Task>): string[] {
  if (before === after) return [];
  const ids: string[] = [];
  for (const [id, task] of after) {
    const old = before.get(id);
    if (old !== task && (old === undefined || !tasksEqual(old, task))) ids.push(id);
  }
  for (const id of before.keys()) if (!after.has(id)) ids.push(id);
  return ids;
}
