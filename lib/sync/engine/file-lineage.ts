import { randomUUID } from "node:crypto";
import { tasksEqual, type Task } from "../../tasks/task-schema";
import type { ReadResult, WriteResult } from "../../yaml";
import { findAncestor, serverReverts, type AncestorInput } from "../reconcile/lineage";
import type { PlanWrites } from "../reconcile/plan-writes";
import type { ConflictBaseRevision, RevisionChange, RevisionLimits, RevisionRecord, RevisionSource, SyncTransaction } from "../storage/sync-storage";
import { taskDigest } from "../storage/task-digest";

/**
 * The I/O half of file lineage (issue #17; the pure half is reconcile/lineage.ts): where the
 * file a run read stands against the revisions, which revision it derives from, and the
 * revisions the run records (the file it accepted, the file it wrote).
 */
export interface FileLineage {
  /** The file read is the head revision (nothing to record for it). */
  fileIsHead: boolean;
  /**
   * The run reconciles every task in which the file differs from the head, so the revisions it
   * records are true. A one-task write on a file with other unsynced changes is not: it records
   * only its own write (see recordRevisions), and the full run that follows records the file.
   */
  covering: boolean;
  /** How the file read differs from the head, task by task; null when not compared (then nothing is recorded). */
  changed: RevisionChange[] | null;
  /** The revision the file derives from, when older than the head. */
  ancestor: (RevisionRecord & { behind: number }) | null;
  /** A, per task whose decision the ancestor changes (null: absent in the ancestor). */
  ancestorTasks: Map<string, Task | null>;
  /** The same tasks in the latest revision. */
  latestTasks: Map<string, Task | null>;
  /** Per task of `ancestorTasks`, the revision A comes from (a conflict's base names it). */
  ancestorRevisions: Map<string, ConflictBaseRevision>;
}

/** What a run records about lineage, in its counts (`counts.lineage`) and its result. */
export interface LineageNote {
  ancestorId: string;
  /** How many revisions older than the latest the file's ancestor was. */
  behind: number;
  ancestorAt: string;
  ancestorSource: RevisionSource;
  /** Tasks the file held older than the DB: the DB's value was kept and written back. */
  keptNewer: string[];
  keptNewerCount: number;
}

const none = (fields: Partial<FileLineage>): FileLineage => ({ fileIsHead: false, covering: true, changed: null, ancestor: null, ancestorTasks: new Map(), latestTasks: new Map(), ancestorRevisions: new Map(), ...fields });
/** At most this many kept-newer ids are listed in a run's record (the count is exact). */
const LISTED = 100;

export interface TraceOptions {
  /** The tasks the run reconciles (null: all). */
  scope: string[] | null;
  /**
   * The checksum of the head revision's file when this process knows it (its settled run recorded
   * it): a file with that checksum is the head, and a scope computed against it holds every task
   * that differs from the head.
   */
  headChecksum?: string | null;
  /** Look for the file's ancestor (bidirectional, unforced runs). */
  lineage: boolean;
}

/**
 * Compares the file read under the lock with the head revision and, when it changed, finds the
 * revision it derives from. A file the engine knows to be the head costs nothing; a file changed
 * within a known scope costs O(scope + stored deltas); otherwise every task is compared.
 */
export async function traceLineage(tx: SyncTransaction, yaml: ReadResult, options: TraceOptions): Promise<FileLineage> {
  if (yaml.status === "invalid") return none({});
  if (yaml.status === "missing") return none({ changed: [] });
  if (options.headChecksum && options.headChecksum === yaml.checksum) return none({ fileIsHead: true, changed: [] });
  const head = await tx.latestRevision();
  if (head === null) return none({ changed: diffTasks(new Map(), yaml.tasks, null) });
  if (head.checksum === yaml.checksum) return none({ fileIsHead: true, changed: [] });
  // A scope computed against the head's file holds every task that differs from it; otherwise
  // (another instance moved the head, a one-task write met a file with other unsynced edits)
  // the whole file is compared.
  const ids = options.scope !== null && options.headChecksum === head.checksum ? options.scope : null;
  const covering = options.scope === null || ids !== null;
  const headTasks = await tx.loadRevisionTasks(null, ids ?? undefined);
  const changed = diffTasks(headTasks, yaml.tasks, ids);
  if (!options.lineage || changed.length === 0) return none({ changed, covering });

  const deltas = await tx.loadRevisionDigests();
  const input = {
    latestId: head.id,
    deltas: deltas.map((d) => ({ ...d, byServer: d.source !== "yaml" })),
    file: (id: string) => {
      const task = yaml.tasks.get(id) ?? null;
      return { task, digest: taskDigest(task) };
    },
  };
  const found = findAncestor(input);
  const reconciled = options.scope && new Set(options.scope);
  const inScope = (id: string) => !reconciled || reconciled.has(id);
  const rebase = found.id === head.id ? [] : found.rebase.filter(inScope);
  // Tasks the file holds as they were before the server's latest change of them, beside the ancestor.
  const reverts = serverReverts(input, changed.map((c) => c.taskId).filter((id) => inScope(id) && !rebase.includes(id)));
  if (rebase.length === 0 && reverts.size === 0) return none({ changed, covering });
  const loaded = rebase.length > 0 ? await tx.loadRevisionTasks(found.id, rebase) : new Map<string, Task>();
  const ancestorTasks = new Map<string, Task | null>(rebase.map((id) => [id, loaded.get(id) ?? null]));
  const ancestorRevisions = new Map<string, ConflictBaseRevision>(rebase.map((id) => [id, { id: found.id, behind: found.behind }]));
  for (const [id, task] of reverts) ancestorTasks.set(id, task);
  const revertedFrom = revisionsBeforeLatestChange(input, [...reverts.keys()]);
  for (const [id, revision] of revertedFrom) ancestorRevisions.set(id, revision);
  // The run's note names the file's ancestor; a file explained only by tasks it holds from before
  // the server's changes of them is at least as old as the oldest of those revisions.
  const named = rebase.length > 0 ? { id: found.id, behind: found.behind } : [...revertedFrom.values()].reduce<ConflictBaseRevision | null>((oldest, r) => (!oldest || r.behind > oldest.behind ? r : oldest), null);
  const [record] = named ? await tx.listRevisions({ limit: 1, beforeSeq: seqAfter(deltas, named.id) }) : [];
  return none({
    changed,
    covering,
    // A revision already pruned is still named, with the head's record (the note keeps its list).
    ancestor: !named ? null : record?.id === named.id ? { ...record, behind: named.behind } : { ...head, behind: named.behind },
    ancestorTasks,
    ancestorRevisions,
    latestTasks: new Map([...ancestorTasks.keys()].map((id) => [id, headTasks.get(id) ?? null])),
  });
}

/**
 * For tasks serverReverts rebased: the revision just before the latest change of each (the one
 * that holds the task as the file does), and how many writes older than the latest it is.
 */
function revisionsBeforeLatestChange(input: AncestorInput, ids: readonly string[]): Map<string, ConflictBaseRevision> {
  const wanted = new Set(ids);
  const out = new Map<string, ConflictBaseRevision>();
  let expected = input.latestId;
  let behind = 0;
  for (const delta of input.deltas) {
    if (out.size === wanted.size || delta.id !== expected || delta.parentId === null) break;
    expected = delta.parentId;
    behind++;
    for (const [taskId] of delta.changes) if (wanted.has(taskId) && !out.has(taskId)) out.set(taskId, { id: delta.parentId, behind });
  }
  return out;
}

/** The seq just above revision `id` (listRevisions' `beforeSeq` then starts with it). */
function seqAfter(deltas: readonly { id: string; parentId: string | null; seq: number }[], id: string): number {
  const child = deltas.find((d) => d.parentId === id);
  return child ? child.seq : Number.MAX_SAFE_INTEGER;
}

/** Ids that differ between two task maps (`ids`: only these), as revision changes sorted by id. */
export function diffTasks(before: ReadonlyMap<string, Task>, after: ReadonlyMap<string, Task>, ids: readonly string[] | null): RevisionChange[] {
  const changes: RevisionChange[] = [];
  const consider = ids ?? [...new Set([...before.keys(), ...after.keys()])];
  for (const id of consider) {
    const b = before.get(id) ?? null;
    const a = after.get(id) ?? null;
    if (b === a || (b !== null && a !== null && tasksEqual(b, a))) continue;
    changes.push({ taskId: id, before: b, after: a });
  }
  return changes.sort((x, y) => (x.taskId < y.taskId ? -1 : x.taskId > y.taskId ? 1 : 0));
}

/**
 * Records the run's revisions: the file it read when that is not the head (accepted: `yaml`),
 * then the file it wrote (against the file read, or against the head when the file was
 * missing). Returns whether the file the run leaves is now the head. Nothing is recorded when
 * the file read was not compared with the head.
 */
export async function recordRevisions(
  tx: SyncTransaction,
  input: { lineage: FileLineage; yaml: ReadResult; written: WriteResult | null; writes: PlanWrites; runId: string; source: RevisionSource; limits: RevisionLimits },
): Promise<boolean> {
  const { lineage, yaml, written, writes, runId, limits } = input;
  if (yaml.status === "invalid") return false;
  if (!lineage.covering && written && yaml.status === "ok") {
    // A one-task write on a file with other unsynced changes: the file as a whole is not known,
    // but what the server wrote is. Record just that against the head, under a checksum no file
    // has, so the head keeps the server's newer values (a copy saved from before them is then
    // seen as old) and the full run that follows compares the whole file again.
    const ids = [...writes.yamlUpserts.map((t) => t.id), ...writes.yamlDeletes];
    const changes = diffTasks(await tx.loadRevisionTasks(null, ids), written.tasks, ids);
    if (changes.length > 0) {
      await tx.insertRevision({ id: randomUUID(), runId, source: input.source, checksum: `partial:${written.checksum}`, taskCount: written.tasks.size, ancestorId: null, changes }, limits);
    }
    return false;
  }
  if (lineage.changed === null || !lineage.covering) return false;
  if (yaml.status === "ok" && !lineage.fileIsHead) {
    const ancestorId = lineage.ancestor?.id ?? null;
    await tx.insertRevision({ id: randomUUID(), runId, source: "yaml", checksum: yaml.checksum, taskCount: yaml.tasks.size, ancestorId, changes: lineage.changed }, limits);
  }
  if (!written) return yaml.status === "ok";
  const changes =
    yaml.status === "ok"
      ? diffTasks(yaml.tasks, written.tasks, [...writes.yamlUpserts.map((t) => t.id), ...writes.yamlDeletes])
      : diffTasks(await tx.loadRevisionTasks(null), written.tasks, null);
  await tx.insertRevision({ id: randomUUID(), runId, source: input.source, checksum: written.checksum, taskCount: written.tasks.size, ancestorId: null, changes }, limits);
  return true;
}

/** The run's lineage note, or null when the file derived from the latest revision. */
export function lineageNote(lineage: FileLineage, keptNewer: string[]): LineageNote | null {
  if (!lineage.ancestor) return null;
  return {
    ancestorId: lineage.ancestor.id,
    behind: lineage.ancestor.behind,
    ancestorAt: lineage.ancestor.createdAt,
    ancestorSource: lineage.ancestor.source,
    keptNewer: keptNewer.slice(0, LISTED),
    keptNewerCount: keptNewer.length,
  };
}
