import type { Actor } from "../people/actor";
/**
 * The live events the product promises (docs/ARCHITECTURE.md, "Data flows"), declared once
 * for the server, the event bus and the browser.
 */
export type SyncState = "idle" | "running" | "error";

export interface ScheduleConfigUpdated {
  source: "yaml" | "db" | "merge" | "resolve" | "revert" | "api";
  runId: string | null;
  changedTaskIds: string[];
  checksum: string | null;
  /** Who made the run that changed the file (issue #18): null when its trigger says (a hand edit, cron, the server). */
  actor?: Actor | null;
}

export interface ConflictSummary {
  id: string;
  taskId: string;
  kind: string;
  fields: string[];
  detectedAt: string;
}

export interface SyncStatusPayload {
  state: SyncState;
  runId: string | null;
  error: string | null;
  openConflicts: number;
}

export interface ServerToClientEvents {
  schedule_config_updated: (payload: ScheduleConfigUpdated) => void;
  sync_conflict_detected: (payload: { conflict: ConflictSummary }) => void;
  sync_conflict_resolved: (payload: { conflictId: string; taskId: string; resolution: string }) => void;
  sync_status_changed: (payload: { status: SyncStatusPayload }) => void;
}

export type EventName = keyof ServerToClientEvents;
export type EventPayload<E extends EventName> = Parameters<ServerToClientEvents[E]>[0];

export const EVENT_NAMES: readonly EventName[] = [
  "schedule_config_updated",
  "sync_conflict_detected",
  "sync_conflict_resolved",
  "sync_status_changed",
];
