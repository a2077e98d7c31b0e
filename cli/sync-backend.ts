import type { DbKind } from "../lib/db/create-database";
import type { Direction } from "../lib/sync/reconcile/plan";
import type { RunResult } from "../lib/sync/engine/sync-engine";
import type { YamlIssue } from "../lib/yaml";

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
  close(): Promise<void>;
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
  lastRun: LastRun | null;
  nextCronRun: string | null;
}
