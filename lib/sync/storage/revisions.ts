import type { Task } from "../../tasks/task-schema";
import { taskDigest } from "./task-digest";

// The file's revisions (issue #17): every version of the schedule file the server wrote or
// accepted, kept as a delta against the one before it, plus the tasks of the newest one (the
// head). Any stored revision is the head with the later deltas undone, so pruning old
// revisions never needs a rebuild.

/** Who made a revision: a file accepted from outside (`yaml`), or one the server wrote. */
export type RevisionSource = "yaml" | "db" | "merge" | "restore";

/** One task's change between a revision and the one before it (null: absent). */
export interface RevisionChange {
  taskId: string;
  before: Task | null;
  after: Task | null;
}

export interface RevisionWrite {
  id: string;
  runId: string | null;
  source: RevisionSource;
  /** The file's checksum (`sha256:<hex>`). */
  checksum: string;
  /** Tasks in the file. */
  taskCount: number;
  /** For an accepted file: the revision lineage found it derives from, when that was not the latest. */
  ancestorId: string | null;
  /** Against the head (the newest revision): every task that differs, and nothing else. */
  changes: readonly RevisionChange[];
}

export interface RevisionRecord {
  id: string;
  /** Orders revisions (higher is newer); gaps are allowed. */
  seq: number;
  source: RevisionSource;
  runId: string | null;
  checksum: string;
  taskCount: number;
  parentId: string | null;
  ancestorId: string | null;
  added: number;
  changed: number;
  removed: number;
  createdAt: string;
}

export interface RevisionDetail extends RevisionRecord {
  changes: RevisionChange[];
}

/** A revision's delta with per-task digests: what the ancestor search reads. */
export interface RevisionDigests {
  id: string;
  /** The revision this delta leads from (null: none stored). */
  parentId: string | null;
  seq: number;
  checksum: string;
  source: RevisionSource;
  /** [task id, digest before, digest after, task before, task after] (null: absent). */
  changes: [string, string | null, string | null, Task | null, Task | null][];
}

/** How many revisions are kept: the newest `keep`, none older than `maxAgeMs` (the newest always stays). */
export interface RevisionLimits {
  keep: number;
  maxAgeMs: number;
}

export const DEFAULT_REVISION_LIMITS: RevisionLimits = { keep: 200, maxAgeMs: 30 * 24 * 3600 * 1000 };

/** What the engine reads and writes of revisions (part of SyncReads / SyncTransaction). */
export interface RevisionReads {
  /** The newest revision (the head), or null before the first. */
  latestRevision(): Promise<RevisionRecord | null>;
  /** Newest first. */
  listRevisions(options: { limit: number; beforeSeq?: number }): Promise<RevisionRecord[]>;
  getRevision(id: string): Promise<RevisionDetail | null>;
  /** The newest revision with this file checksum. */
  findRevisionByChecksum(checksum: string): Promise<RevisionRecord | null>;
  /** The deltas of every stored revision but the oldest (whose parent is gone), newest first. */
  loadRevisionDigests(): Promise<RevisionDigests[]>;
  /** The tasks of a revision (of `ids` only, when given); the head's when `revisionId` is null. */
  loadRevisionTasks(revisionId: string | null, ids?: readonly string[]): Promise<Map<string, Task>>;
}

export interface RevisionWrites {
  /** Appends a revision after the head, moves the head, and prunes to `limits`. */
  insertRevision(revision: RevisionWrite, limits: RevisionLimits): Promise<RevisionRecord>;
}

/** A revision's changes as stored (with digests), and how many tasks it added, changed and removed: one reading for every adapter. */
export function storedChanges(changes: readonly RevisionChange[], copy: (task: Task | null) => Task | null = (task) => task) {
  const counts = { added: 0, changed: 0, removed: 0 };
  const rows = changes.map((c) => {
    if (c.before === null) counts.added++;
    else if (c.after === null) counts.removed++;
    else counts.changed++;
    return { taskId: c.taskId, before: copy(c.before), after: copy(c.after), beforeDigest: taskDigest(c.before), afterDigest: taskDigest(c.after) };
  });
  return { rows, ...counts };
}
