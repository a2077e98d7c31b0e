import type { ScheduleStore } from "../../yaml";
import type { SyncStorage } from "../storage/sync-storage";
import type { ApplyEnv } from "./apply-plan";
import type { LockedRunner } from "./locked-run";
import type { createMutex } from "./mutex";
import type { createSettledScope } from "./settled-scope";
import type { SyncStatusTracker } from "./sync-status";

/** What the engine's operations share: created once by createSyncEngine. */
export interface EngineParts {
  path: string;
  storage: SyncStorage;
  store: ScheduleStore;
  /** Serializes runs in this process. */
  mutex: ReturnType<typeof createMutex>;
  locked: LockedRunner;
  settled: ReturnType<typeof createSettledScope>;
  status: SyncStatusTracker;
  /** What applyPlan needs from the engine. */
  applyEnv: ApplyEnv;
  /** Before a run: gives a file that looks cut off time to be completed (complete-file.ts). */
  awaitCompleteFile(): Promise<void>;
  /** A run left other tasks unsynced, or did not settle: the convergence loop runs a full sync. */
  followUp(): void;
}
