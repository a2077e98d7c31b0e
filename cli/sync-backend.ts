import type { SyncStatus } from "../lib/client/api-types";
import type { RevisionRecord } from "../lib/sync/storage/sync-storage";
import type { RestoreResult } from "../lib/sync/engine/restore-revision";
import type { DbKind } from "../lib/db/create-database";
import type { Direction } from "../lib/sync/reconcile/plan";
import type { RunResult } from "../lib/sync/engine/sync-engine";
import type { YamlIssue } from "../lib/yaml";
import type { ExportedTask } from "../lib/export/export-schedule";

/**
 * Where the CLI's commands run: the database itself (PostgreSQL, `DATABASE_URL`) or the
 * running server over HTTP (PGlite, whose files one process owns; or `--url`). Commands
 * only see this interface, so both paths print and exit the same way.
 */
export interface SyncBackend {
  /** For headings: "server http://…" or "database postgresql://host/db". */
  readonly where: string;
  run(options: { direction: Direction; force: boolean; dryRun: boolean }): Promise<RunResult>;
  openConflicts(): Promise<OpenConflict[]>;
  status(): Promise<StatusView>;
  /** The mass deletions held by the delete guard, by the side that deleted them. */
  held(): Promise<Record<"yaml" | "db", HeldTask[]>>;
  /** Applies or restores one side's held deletions (or says which, when dry). */
  decideHeld(options: { deletedIn: "yaml" | "db"; action: "apply" | "restore"; dryRun: boolean }): Promise<{ taskIds: string[]; skipped: string[]; runId: string | null }>;
  /** The enabled tasks, for `export` (the DB side: what the UI and the API show). */
  enabledTasks(): Promise<ExportedTask[]>;
  /** The file's revisions, newest first (issue #17). */
  revisions(limit: number): Promise<RevisionRecord[]>;
  /** Puts both sides back to a revision as one run, or (dry) says what would change. */
  restoreRevision(options: { id: string; dryRun: boolean }): Promise<RestoreResult>;
  close(): Promise<void>;
}

export interface HeldTask {
  taskId: string;
  heldAt: string;
}

export interface OpenConflict {
  id: string;
  taskId: string;
  kind: string;
  fields: string[];
  detectedAt: string;
}

export interface LastRun {
  id: string;
  trigger: string;
  direction: string;
  status: string;
  error: string | null;
  conflicts: number;
  startedAt: string;
  durationMs: number | null;
}

export interface StatusView {
  where: string;
  /** The server's sync state; null when the CLI reads the database itself (no server asked). */
  state: "idle" | "running" | "error" | null;
  lastError: string | null;
  db: DbKind;
  yaml: { path: string; valid: boolean; missing: boolean; checksum: string | null; issues: YamlIssue[] };
  openConflicts: number;
  /** Tasks whose sides differ outside conflicts; null when unknown. */
  pending: number | null;
  held: Record<"yaml" | "db", number>;
  /** Set while the server's sync retries by itself after a failure (null from the database itself). */
  retry: { at: string; attempt: number; error: string | null } | null;
  lastRun: LastRun | null;
  nextCronRun: string | null;
  /** Git mode of the server asked (null when off, or when the CLI reads the database itself). */
  git: NonNullable<SyncStatus["git"]> | null;
}
