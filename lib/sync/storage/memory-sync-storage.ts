import { randomUUID } from "node:crypto";
import { actorOfTrigger } from "../../people/actor";
import type { StoredTask } from "../../tasks/stored-task";
import { taskOf } from "../../tasks/stored-task";
import { tasksEqual, type Task } from "../../tasks/task-schema";
import {
  StorageBusyError,
  type ChangeRecord,
  type ConflictRecord,
  type ConflictWrite,
  type RunDetail,
  type RunRecord,
  type RunWrite,
  type SyncReads,
  type SyncStorage,
  type SyncTransaction,
  type TaskChange,
} from "./sync-storage";
import { DEFAULT_REVISION_LIMITS, storedChanges, type RevisionChange, type RevisionReads, type RevisionRecord, type RevisionWrites } from "./revisions";

export interface MemorySyncStorageOptions {
  /** The clock every timestamp comes from (a simulation passes its own). */
  now?: () => Date;
  /** Ids for runs' conflicts (a simulation passes a seeded source). */
  newId?: () => string;
}

export interface MemorySyncStorage extends SyncStorage {
  /** Test door: runs `edit` on the committed state as an outside writer would (SQL typed by hand). */
  outsideWrite(edit: (tx: SyncTransaction) => Promise<void>): Promise<void>;
}

interface ChangeRow extends ChangeRecord {
  id: number;
  runId: string;
  createdAt: string;
}

interface State {
  tasks: Map<string, StoredTask>;
  base: Map<string, Task>;
  /** By conflict id, in the order they were opened. */
  conflicts: Map<string, ConflictRecord>;
  runs: Map<string, RunRecord>;
  changes: ChangeRow[];
  nextChangeId: number;
  generation: number;
  /** Oldest first; rows are never changed once written (copies share them). */
  revisions: RevisionRow[];
  /** The newest revision's tasks. */
  head: Map<string, Task>;
  nextRevisionSeq: number;
}

interface RevisionRow extends RevisionRecord {
  changes: (RevisionChange & { beforeDigest: string | null; afterDigest: string | null })[];
}

/**
 * SyncStorage in memory, with the SQL adapter's semantics (the contract suite runs both): one
 * transaction at a time, working on a copy of the state that replaces it on commit and is
 * dropped on a throw; a transaction that may not wait fails with StorageBusyError while another
 * one runs. Values go in and out as copies, as they would through a database.
 *
 * Longer than most modules: it is one state with one copy-on-write transaction, and its
 * reads and writes mirror the SQL adapter's four files method for method.
 */
export function createMemorySyncStorage(options: MemorySyncStorageOptions = {}): MemorySyncStorage {
  const now = options.now ?? (() => new Date());
  const newId = options.newId ?? randomUUID;
  let committed: State = {
    tasks: new Map(),
    base: new Map(),
    conflicts: new Map(),
    runs: new Map(),
    changes: [],
    nextChangeId: 1,
    generation: 0,
    revisions: [],
    head: new Map(),
    nextRevisionSeq: 1,
  };
  let tail: Promise<unknown> = Promise.resolve();
  let active = 0;

  async function transaction<T>(work: (tx: SyncTransaction) => Promise<T>, opts: { wait?: boolean } = {}): Promise<T> {
    if (opts.wait === false && active > 0) throw new StorageBusyError("another writer holds the sync lock");
    active++;
    const turn = tail.then(async () => {
      const draft = copyState(committed);
      const result = await work(transactionOn(draft, now, newId));
      committed = draft;
      return result;
    });
    tail = turn.then(
      () => active--,
      () => active--,
    );
    return turn;
  }

  return {
    kind: "memory",
    transaction,
    recordRun: (run) => transaction((tx) => tx.insertRun(run)),
    // Reads see the committed state, as a read outside a transaction does.
    reads: readsOn(() => committed),
    outsideWrite: (edit) => transaction(edit),
  };
}

function copyState(state: State): State {
  return {
    tasks: new Map(state.tasks),
    base: new Map(state.base),
    conflicts: new Map(state.conflicts),
    runs: new Map(state.runs),
    changes: state.changes.slice(),
    nextChangeId: state.nextChangeId,
    generation: state.generation,
    revisions: state.revisions.slice(),
    head: new Map(state.head),
    nextRevisionSeq: state.nextRevisionSeq,
  };
}

const copy = <T>(value: T): T => structuredClone(value);
const newestFirst = (a: string, b: string) => (a < b ? 1 : a > b ? -1 : 0);

function pick<V>(map: Map<string, V>, ids: readonly string[] | undefined): [string, V][] {
  if (!ids) return [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return [...new Set(ids)]
    .sort()
    .filter((id) => map.has(id))
    .map((id) => [id, map.get(id)!]);
}

function openConflictOf(state: State, taskId: string): ConflictRecord | undefined {
  for (const conflict of state.conflicts.values()) if (conflict.taskId === taskId && conflict.status === "open") return conflict;
  return undefined;
}

function readsOn(current: () => State): SyncReads {
  const reads: SyncReads = {
    loadState: async (ids) => {
      const db = new Map<string, Task>();
      const versions = new Map<string, number>();
      for (const [id, row] of pick(current().tasks, ids)) {
        db.set(id, taskOf(copy(row)));
        versions.set(id, row.version);
      }
      const base = new Map(pick(current().base, ids).map(([id, task]) => [id, copy(task)]));
      const wanted = ids && new Set(ids);
      const open = new Map(
        [...current().conflicts.values()].filter((c) => c.status === "open" && (!wanted || wanted.has(c.taskId))).map((c) => [c.taskId, c.kind] as const),
      );
      return { db, versions, base, open, generation: String(current().generation) };
    },
    loadGeneration: async () => String(current().generation),
    loadTasks: async (ids) => new Map(pick(current().tasks, ids).map(([id, row]) => [id, copy(row)])),
    loadBase: async (ids) => new Map(pick(current().base, ids).map(([id, task]) => [id, copy(task)])),
    loadOpenConflicts: async (ids) => {
      const wanted = ids && new Set(ids);
      const open = [...current().conflicts.values()].filter((c) => c.status === "open" && (!wanted || wanted.has(c.taskId)));
      return new Map(open.map((c) => [c.taskId, copy(c)]));
    },
    loadTaskAndConflict: async (id) => {
      const task = current().tasks.get(id);
      const conflict = openConflictOf(current(), id);
      return { task: task ? copy(task) : null, conflict: conflict ? copy(conflict) : null };
    },
    getConflict: async (id) => {
      const conflict = current().conflicts.get(id);
      return conflict ? withResolver(current(), conflict) : null;
    },
    listConflicts: async (status, limit = 500) =>
      [...current().conflicts.values()]
        .reverse()
        .filter((c) => status === "all" || c.status === status)
        .sort((a, b) => newestFirst(a.detectedAt, b.detectedAt))
        .slice(0, limit)
        .map((c) => withResolver(current(), c)),
    countOpenConflicts: async () => [...current().conflicts.values()].filter((c) => c.status === "open").length,
    listRuns: async ({ limit, before, changedOnly, actor }) => {
      const state = current();
      const changed = new Set(state.changes.map((c) => c.runId));
      return [...state.runs.values()]
        .reverse()
        .filter((run) => !before || run.startedAt < new Date(before).toISOString())
        .filter((run) => !changedOnly || run.status === "error" || run.conflicts > 0 || changed.has(run.id))
        .filter((run) => !actor?.kind || run.actor?.kind === actor.kind)
        .filter((run) => !actor?.name || run.actor?.name === actor.name)
        .sort((a, b) => newestFirst(a.startedAt, b.startedAt))
        .slice(0, limit)
        .map(copy);
    },
    getRun: async (id): Promise<RunDetail | null> => {
      const state = current();
      const run = state.runs.get(id);
      if (!run) return null;
      const changes = state.changes.filter((c) => c.runId === id).map(({ runId: _, id: changeId, ...rest }) => ({ ...copy(rest), id: String(changeId) }));
      return { ...copy(run), changes };
    },
    taskHistory: async (taskId, limit = 200) => {
      const state = current();
      const hits = historyIds(state.changes, taskId);
      return state.changes
        .filter((c) => hits.has(c.id))
        .reverse()
        .slice(0, limit)
        .map((c) => taskChange(state, c));
    },
    getChange: async (changeId) => {
      const state = current();
      const row = /^\d{1,18}$/.test(changeId) ? state.changes.find((c) => c.id === Number(changeId)) : undefined;
      return row ? taskChange(state, row) : null;
    },
    ...revisionReadsOn(current),
  };
  return reads;
}

/**
 * The changes a task's history shows, following renames back as the SQL adapter's recursive
 * query does: (id, up to which change) pairs from the task itself; a rename into one adds the old
 * id with the changes before that rename; plus the task's renames away (`before.id` = this id).
 */
function historyIds(changes: readonly ChangeRow[], taskId: string): Set<number> {
  const hits = new Set<number>();
  const seen = new Set<string>();
  const chain: { id: string; upto: number }[] = [{ id: taskId, upto: Infinity }];
  for (let next = chain.pop(); next; next = chain.pop()) {
    const key = `${next.id}\u0000${next.upto}`;
    if (seen.has(key)) continue;
    seen.add(key);
    for (const c of changes) {
      if (c.taskId !== next.id || c.id >= next.upto) continue;
      hits.add(c.id);
      if (c.action === "rename" && c.before) chain.push({ id: c.before.id, upto: c.id });
    }
  }
  for (const c of changes) if (c.action === "rename" && c.before?.id === taskId) hits.add(c.id);
  return hits;
}

/** A conflict with the actor of the run that closed it, as the SQL adapter reads it. */
function withResolver(state: State, conflict: ConflictRecord): ConflictRecord {
  const resolvedRunId = conflict.resolvedRunId ?? null;
  return copy({ ...conflict, resolvedRunId, resolvedBy: resolvedRunId ? (state.runs.get(resolvedRunId)?.actor ?? null) : null });
}

function taskChange(state: State, row: ChangeRow): TaskChange {
  return {
    id: String(row.id),
    runId: row.runId,
    trigger: state.runs.get(row.runId)?.trigger ?? "",
    actor: copy(state.runs.get(row.runId)?.actor ?? null),
    taskId: row.taskId,
    side: row.side,
    action: row.action,
    before: copy(row.before),
    after: copy(row.after),
    createdAt: row.createdAt,
  };
}

function transactionOn(state: State, now: () => Date, newId: () => string): SyncTransaction {
  const startedAt = now().toISOString();
  // Like the SQL trigger: every statement that writes to the sync state moves the generation on.
  const bump = () => state.generation++;
  const stamp = () => now().toISOString();

  return {
    ...readsOn(() => state),
    countSettled: async (ids) => {
      const inside = new Set(ids);
      const open = new Set([...state.conflicts.values()].filter((c) => c.status === "open").map((c) => c.taskId));
      let inSync = 0;
      for (const id of state.tasks.keys()) if (!inside.has(id) && !open.has(id)) inSync++;
      let conflicts = 0;
      for (const id of open) if (!inside.has(id)) conflicts++;
      return { inSync, conflicts };
    },
    ranRecently: async (trigger, withinMs) => {
      const since = now().getTime() - withinMs;
      for (const run of state.runs.values()) {
        if (run.trigger === trigger && run.status === "success" && run.finishedAt && Date.parse(run.finishedAt) > since) return true;
      }
      return false;
    },
    upsertTasks: async (tasks, source) => {
      if (tasks.length === 0) return;
      bump();
      for (const task of tasks) {
        const current = state.tasks.get(task.id);
        const fields = taskOf(copy(task));
        if (!current) {
          const at = stamp();
          state.tasks.set(task.id, { ...fields, version: 1, source, createdAt: at, updatedAt: at });
        } else if (!tasksEqual(taskOf(current), fields)) {
          state.tasks.set(task.id, { ...fields, version: current.version + 1, source, createdAt: current.createdAt, updatedAt: startedAt });
        }
      }
    },
    deleteTasks: async (ids) => {
      if (ids.length === 0) return;
      bump();
      for (const id of ids) state.tasks.delete(id);
    },
    renameTasks: async (renames, source) => {
      if (renames.length === 0) return;
      bump();
      for (const { from, task } of renames) {
        const current = state.tasks.get(from);
        if (!current) continue;
        if (state.tasks.has(task.id)) throw new Error(`task ${task.id} exists: cannot rename ${from} to it`);
        state.tasks.delete(from);
        state.tasks.set(task.id, { ...taskOf(copy(task)), version: current.version + 1, source, createdAt: current.createdAt, updatedAt: startedAt });
      }
    },
    setBase: async (tasks) => {
      if (tasks.length === 0) return;
      bump();
      for (const task of tasks) state.base.set(task.id, copy(task));
    },
    deleteBase: async (ids) => {
      if (ids.length === 0) return;
      bump();
      for (const id of ids) state.base.delete(id);
    },
    upsertOpenConflicts: async (conflicts, runId) => {
      if (conflicts.length === 0) return [];
      bump();
      const written: ConflictRecord[] = [];
      for (const input of conflicts) {
        const current = openConflictOf(state, input.taskId);
        if (!current) {
          const at = stamp();
          const record: ConflictRecord = {
            id: newId(),
            ...conflictFields(input),
            status: "open",
            resolution: null,
            detectedAt: at,
            updatedAt: at,
            resolvedAt: null,
            runId,
          };
          state.conflicts.set(record.id, record);
          written.push(copy(record));
        } else if (!sameConflict(current, input)) {
          const record: ConflictRecord = { ...current, ...conflictFields(input), runId, updatedAt: startedAt };
          state.conflicts.set(record.id, record);
          written.push(copy(record));
        }
      }
      return written;
    },
    closeConflicts: async (taskIds, resolution, runId = null) => {
      if (taskIds.length === 0) return [];
      bump();
      const closed: ConflictRecord[] = [];
      for (const taskId of new Set(taskIds)) {
        const current = openConflictOf(state, taskId);
        if (!current) continue;
        const record: ConflictRecord = { ...current, status: "resolved", resolution, resolvedAt: startedAt, updatedAt: startedAt, resolvedRunId: runId };
        state.conflicts.set(record.id, record);
        closed.push(copy(record));
      }
      return closed;
    },
    ...revisionWritesOn(state, now),
    insertRun: async (run: RunWrite, changes: readonly ChangeRecord[] = []) => {
      if (state.runs.has(run.id)) throw new Error(`duplicate run id ${run.id}`);
      state.runs.set(run.id, {
        id: run.id,
        trigger: run.trigger,
        direction: run.direction,
        status: run.status,
        dryRun: false,
        counts: copy(run.counts),
        conflicts: run.conflicts,
        error: run.error,
        yamlChecksum: run.yamlChecksum,
        startedAt: run.startedAt.toISOString(),
        finishedAt: stamp(),
        durationMs: run.durationMs,
        actor: copy(run.actor ?? actorOfTrigger(run.trigger)),
      });
      for (const change of changes) {
        state.changes.push({ ...copy(change), id: state.nextChangeId++, runId: run.id, createdAt: startedAt });
      }
    },
  };
}

function conflictFields(input: ConflictWrite): Pick<ConflictRecord, "taskId" | "kind" | "base" | "yaml" | "db" | "fields" | "baseRevision"> {
  return {
    taskId: input.taskId,
    kind: input.kind,
    base: copy(input.base),
    yaml: copy(input.yaml),
    db: copy(input.db),
    fields: [...input.fields],
    baseRevision: input.baseRevision ? { ...input.baseRevision } : null,
  };
}

function sameConflict(record: ConflictRecord, input: ConflictWrite): boolean {
  const sameTask = (a: Task | null, b: Task | null) => (a === null || b === null ? a === b : tasksEqual(a, b));
  return (
    record.kind === input.kind &&
    sameTask(record.base, input.base) &&
    sameTask(record.yaml, input.yaml) &&
    sameTask(record.db, input.db) &&
    record.fields.length === input.fields.length &&
    record.fields.every((field, i) => field === input.fields[i]) &&
    record.baseRevision?.id === input.baseRevision?.id &&
    record.baseRevision?.behind === input.baseRevision?.behind
  );
}

const recordOf = ({ changes: _, ...record }: RevisionRow): RevisionRecord => ({ ...record });

function revisionReadsOn(current: () => State): RevisionReads {
  const find = (id: string | null) => (id === null ? undefined : current().revisions.find((r) => r.id === id));
  return {
    latestRevision: async () => {
      const { revisions } = current();
      return revisions.length ? recordOf(revisions[revisions.length - 1]) : null;
    },
    listRevisions: async ({ limit, beforeSeq }) =>
      current()
        .revisions.filter((r) => beforeSeq === undefined || r.seq < beforeSeq)
        .reverse()
        .slice(0, limit)
        .map(recordOf),
    getRevision: async (id) => {
      const row = find(id);
      return row ? { ...recordOf(row), changes: row.changes.map(({ taskId, before, after }) => ({ taskId, before: copy(before), after: copy(after) })) } : null;
    },
    findRevisionByChecksum: async (checksum) => {
      const row = current().revisions.findLast((r) => r.checksum === checksum);
      return row ? recordOf(row) : null;
    },
    loadRevisionDigests: async () =>
      current()
        .revisions.slice(1)
        .reverse()
        .map((r) => ({
          id: r.id,
          parentId: r.parentId,
          seq: r.seq,
          checksum: r.checksum,
          source: r.source,
          changes: r.changes.map((c) => [c.taskId, c.beforeDigest, c.afterDigest, copy(c.before), copy(c.after)] as [string, string | null, string | null, Task | null, Task | null]),
        })),
    loadRevisionTasks: async (revisionId, ids) => {
      const state = current();
      const tasks = new Map<string, Task | null>();
      const wanted = ids && new Set(ids);
      for (const [id, task] of state.head) if (!wanted || wanted.has(id)) tasks.set(id, task);
      if (revisionId !== null) {
        const at = state.revisions.findIndex((r) => r.id === revisionId);
        if (at < 0) return new Map();
        // Undo the later deltas, newest first.
        for (let i = state.revisions.length - 1; i > at; i--) {
          for (const c of state.revisions[i].changes) if (!wanted || wanted.has(c.taskId)) tasks.set(c.taskId, c.before);
        }
      }
      return new Map(
        [...tasks]
          .filter((entry): entry is [string, Task] => entry[1] !== null)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([id, task]) => [id, copy(task)]),
      );
    },
  };
}

function revisionWritesOn(state: State, now: () => Date): RevisionWrites {
  return {
    insertRevision: async (revision, limits = DEFAULT_REVISION_LIMITS) => {
      const { rows: changes, added, changed, removed } = storedChanges(revision.changes, copy);
      const parent = state.revisions[state.revisions.length - 1];
      const row: RevisionRow = {
        id: revision.id,
        seq: state.nextRevisionSeq++,
        source: revision.source,
        runId: revision.runId,
        checksum: revision.checksum,
        taskCount: revision.taskCount,
        parentId: parent?.id ?? null,
        ancestorId: revision.ancestorId,
        added,
        changed,
        removed,
        createdAt: now().toISOString(),
        changes,
      };
      state.revisions.push(row);
      for (const c of changes) {
        if (c.after === null) state.head.delete(c.taskId);
        else state.head.set(c.taskId, c.after);
      }
      const oldest = Date.parse(row.createdAt) - limits.maxAgeMs;
      const keepFrom = Math.max(0, state.revisions.length - Math.max(1, limits.keep));
      state.revisions = state.revisions.filter((r, i) => r === row || (i >= keepFrom && Date.parse(r.createdAt) >= oldest));
      return recordOf(row);
    },
  };
}
