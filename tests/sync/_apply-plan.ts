import type { Plan, TaskDecision } from "../../lib/sync/reconcile/plan";
import { resolutionTask, type Resolution } from "../../lib/sync/reconcile/resolve-conflict";
import type { Task } from "../../lib/tasks/task-schema";

/** Everything a sync run reads and writes, as plain maps: what the real shell keeps in YAML and the DB. */
export interface SyncState {
  base: Map<string, Task>;
  yaml: Map<string, Task>;
  db: Map<string, Task>;
  /** Ids with an open conflict record. */
  open: Set<string>;
}

export function cloneState(state: SyncState): SyncState {
  return { base: new Map(state.base), yaml: new Map(state.yaml), db: new Map(state.db), open: new Set(state.open) };
}

/**
 * What the sync shell does with a plan, minus the I/O: writes, merges and base updates;
 * conflicts leave both sides untouched and open (or keep open) a conflict record, every
 * other decision closes it. Returns a new state.
 */
export function applyPlan(state: SyncState, plan: Plan): SyncState {
  const next = cloneState(state);
  for (const decision of plan.decisions) {
    const { id } = decision;
    switch (decision.action) {
      case "in_sync":
        put(next.base, id, decision.task);
        break;
      case "write_yaml":
        put(next.yaml, id, decision.task);
        put(next.base, id, decision.task);
        break;
      case "write_db":
        put(next.db, id, decision.task);
        put(next.base, id, decision.task);
        break;
      case "merge":
        put(next.yaml, id, decision.task);
        put(next.db, id, decision.task);
        put(next.base, id, decision.task);
        break;
      case "conflict":
        next.open.add(id);
        continue;
    }
    next.open.delete(id);
  }
  return next;
}

/**
 * Resolves one conflict the way the API does: the chosen value goes to both sides and the
 * base, and the conflict closes. Returns a new state.
 */
export function applyResolution(
  state: SyncState,
  conflict: Extract<TaskDecision, { action: "conflict" }>,
  resolution: Resolution,
  merged?: Task,
): SyncState {
  const next = cloneState(state);
  const task = resolutionTask(conflict, resolution, merged);
  put(next.yaml, conflict.id, task);
  put(next.db, conflict.id, task);
  put(next.base, conflict.id, task);
  next.open.delete(conflict.id);
  return next;
}

function put(map: Map<string, Task>, id: string, task: Task | null): void {
  if (task === null) map.delete(id);
  else map.set(id, task);
}
