import type { Actor } from "../../people/actor";
import type { EventBus } from "../../events/event-bus";
import type { ScheduleConfigUpdated, SyncState } from "../../events/events";
import type { ReadResult, YamlIssue } from "../../yaml";
import type { ConflictRecord, SyncStorage } from "../storage/sync-storage";

export interface YamlState {
  path: string;
  valid: boolean | null;
  missing: boolean;
  checksum: string | null;
  issues: YamlIssue[];
}

/** What a committed run changed, as the status and the live events need it. */
export interface RunOutcome {
  runId: string;
  changedTaskIds: string[];
  checksum: string | null;
  opened: ConflictRecord[];
  closed: ConflictRecord[];
  /** Who made the run (issue #18); unset: what its trigger implies. */
  actor?: Actor | null;
}

export type SyncStatus = ReturnType<SyncStatusTracker["snapshot"]>;
export type SyncStatusTracker = ReturnType<typeof createSyncStatus>;

/**
 * This process's view of the sync: its state (idle, running, error), the last error, the count
 * of open conflicts and what the file looked like when last read or written. Every change of
 * state and every committed run goes out on the event bus, after the transaction committed.
 */
export function createSyncStatus(deps: { path: string; events: EventBus; storage: SyncStorage }) {
  const { events, storage } = deps;
  let state: SyncState = "idle";
  let lastError: string | null = null;
  let openConflicts = 0;
  const yaml: YamlState = { path: deps.path, valid: null, missing: false, checksum: null, issues: [] };

  async function refreshConflictCount() {
    try {
      openConflicts = await storage.reads.countOpenConflicts();
    } catch {
      // Status only; the next successful count corrects it.
    }
  }

  return {
    get yaml(): Readonly<YamlState> {
      return yaml;
    },
    snapshot() {
      return { state, lastError, openConflicts, yaml: { ...yaml } };
    },
    /** Records what a read of the file found. */
    observeRead(read: ReadResult) {
      yaml.missing = read.status === "missing";
      yaml.valid = read.status !== "invalid";
      yaml.checksum = read.status === "missing" ? null : read.checksum;
      yaml.issues = read.status === "invalid" ? read.issues : [];
    },
    /** Records that the engine wrote the file (valid by construction). */
    observeWrite(checksum: string) {
      yaml.checksum = checksum;
      yaml.missing = false;
      yaml.valid = true;
      yaml.issues = [];
    },
    set(next: SyncState, runId: string | null = null, error: string | null = lastError) {
      state = next;
      lastError = error;
      events.publish("sync_status_changed", { status: { state, runId, error: lastError, openConflicts } });
    },
    refreshConflictCount,
    /** Publishes a committed run's changes and conflicts. */
    async published(outcome: RunOutcome, source: ScheduleConfigUpdated["source"]) {
      if (outcome.changedTaskIds.length > 0) {
        events.publish("schedule_config_updated", { source, runId: outcome.runId, changedTaskIds: outcome.changedTaskIds, checksum: outcome.checksum, actor: outcome.actor ?? null });
      }
      for (const conflict of outcome.opened) {
        events.publish("sync_conflict_detected", {
          conflict: { id: conflict.id, taskId: conflict.taskId, kind: conflict.kind, fields: conflict.fields, detectedAt: conflict.detectedAt },
        });
      }
      for (const conflict of outcome.closed) {
        events.publish("sync_conflict_resolved", { conflictId: conflict.id, taskId: conflict.taskId, resolution: conflict.resolution ?? "converged" });
      }
      if (outcome.opened.length > 0 || outcome.closed.length > 0) await refreshConflictCount();
    },
  };
}
