/**
 * Shapes of the API's answers, for the browser. Type-only imports: nothing from the
 * server modules ends up in the client bundle.
 */
import type { conflictDetail, syncStatus } from "@/lib/sync/sync-reads";
import type { RunResult, TaskWriteResult } from "@/lib/sync/engine/sync-engine";
import type { ConflictRecord, RunRecord, TaskChange, ChangeRecord } from "@/lib/sync/storage/sync-storage";
import type { StoredTask } from "@/lib/tasks/stored-task";
import type { TaskListItem as TaskRow } from "@/lib/tasks/task-reads";
import type { TaskSyncState } from "@/lib/sync/sync-reads";
import type { TaskDecision } from "@/lib/sync/reconcile/plan";

export type { ConflictRecord, RunRecord, StoredTask, TaskChange, ChangeRecord, RunResult, TaskWriteResult, TaskDecision, TaskSyncState };

/** A task of the list with how its two sides stand. */
export type TaskListItem = TaskRow & { sync: TaskSyncState };

export type SyncStatus = Awaited<ReturnType<typeof syncStatus>>;
export type ConflictDetail = Awaited<ReturnType<typeof conflictDetail>>;
export type Direction = "bidirectional" | "yaml_to_db" | "db_to_yaml";

export interface TaskPage {
  items: TaskListItem[];
  total: number;
  limit: number;
  offset: number;
}

export interface RunDetail extends RunRecord {
  changes: (ChangeRecord & { id: string; createdAt: string })[];
}

export interface ResolveResult {
  runId: string | null;
  task: StoredTask | null;
}
