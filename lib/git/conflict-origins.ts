import fs from "node:fs/promises";
import path from "node:path";
import type { EventBus } from "../events/event-bus";
import type { ConflictKind, ConflictWrite } from "../sync/reconcile/plan";
import type { SyncStorage } from "../sync/storage/sync-storage";
import { changedFields, TASK_FIELDS, type Task } from "../tasks/task-schema";
import type { GitRepo } from "./git-repo";
import type { MergeConflict } from "./merge-schedules";

/** A task that a merge of the remote left in conflict: the dashboard says whose commit brought it. */
export interface ConflictOrigin {
  taskId: string;
  author: string;
  commit: string;
  subject: string;
}

export type TaskConflict = Extract<MergeConflict, { part: "task" }>;

/**
 * The origins of the open conflicts git mode opened. They are a label, not state the sync needs,
 * so they live beside the repository (in its git folder, surviving a restart) rather than in the DB.
 */
export interface ConflictOrigins {
  get(taskId: string): ConflictOrigin | undefined;
  list(): ConflictOrigin[];
  add(origins: readonly ConflictOrigin[]): Promise<void>;
  /** Forgets these tasks' origins (resolved, or no longer open); saves when one was known. */
  drop(taskIds: Iterable<string>): Promise<void>;
  load(): Promise<void>;
}

export function createConflictOrigins(repo: GitRepo): ConflictOrigins {
  const origins = new Map<string, ConflictOrigin>();
  const file = async () => path.join(path.resolve(repo.root, (await repo.ok(["rev-parse", "--git-dir"])).trim()), "schedule-sync-conflicts.json");
  async function save(): Promise<void> {
    const target = await file();
    await fs.writeFile(`${target}.tmp`, JSON.stringify([...origins.values()], null, 2));
    await fs.rename(`${target}.tmp`, target);
  }
  return {
    get: (taskId) => origins.get(taskId),
    list: () => [...origins.values()],
    async add(added) {
      for (const origin of added) origins.set(origin.taskId, origin);
      await save();
    },
    async drop(taskIds) {
      let dropped = false;
      for (const id of taskIds) dropped = origins.delete(id) || dropped;
      if (dropped) await save();
    },
    async load() {
      try {
        const saved = JSON.parse(await fs.readFile(await file(), "utf8")) as ConflictOrigin[];
        for (const origin of saved) if (typeof origin?.taskId === "string" && !origins.has(origin.taskId)) origins.set(origin.taskId, origin);
      } catch {
        // None saved yet, or unreadable: the labels start empty.
      }
    },
  };
}

/** The newest commit of the remote that touched the schedule file: who the conflicts it brings are from. */
export async function remoteCommit(repo: GitRepo, remote: string): Promise<Omit<ConflictOrigin, "taskId">> {
  const [author, commit, subject] = (await repo.ok(["log", "-1", "--format=%an%x00%H%x00%s", remote, "--", repo.file])).trim().split("\0");
  return { author: author ?? "", commit: commit ?? remote, subject: subject ?? "" };
}

/**
 * Opens a dashboard conflict per task a merge could not decide, and announces each. The
 * dashboard's YAML side is the remote's version (the file holds it), its DB side ours: the DB
 * row as it stands, or our file's version when the DB has no row. `remoteSide` says which side
 * of the merge was the remote ("theirs" when merging it in, "ours" when rebasing onto it);
 * `origin` is the remote commit that brought them.
 */
export async function openGitConflicts(
  deps: { storage: SyncStorage; events: EventBus; origins: ConflictOrigins },
  conflicts: readonly TaskConflict[],
  origin: Omit<ConflictOrigin, "taskId">,
  remoteSide: "ours" | "theirs",
): Promise<void> {
  // A kind names which side deleted; seen from the dashboard the remote is the YAML side.
  const swap = (kind: ConflictKind): ConflictKind => (kind === "modify_delete" ? "delete_modify" : kind === "delete_modify" ? "modify_delete" : kind);
  const records = await deps.storage.transaction(async (tx) => {
    const rows = await tx.loadTasks(conflicts.map((c) => c.id));
    const writes: ConflictWrite[] = conflicts.map((c) => {
      const row = rows.get(c.id);
      const remoteValue = remoteSide === "theirs" ? c.theirs : c.ours;
      const localValue = remoteSide === "theirs" ? c.ours : c.theirs;
      const db: Task | null = row ? (Object.fromEntries([["id", c.id], ...TASK_FIELDS.map((f) => [f, row[f]])]) as Task) : localValue;
      const fields = remoteValue && db ? changedFields(remoteValue, db) : [...TASK_FIELDS];
      return { taskId: c.id, kind: remoteSide === "theirs" ? swap(c.kind) : c.kind, base: c.base, yaml: remoteValue, db, fields };
    });
    return tx.upsertOpenConflicts(writes, null);
  });
  // Known before the dashboard hears of the conflicts, so the first look at one names its commit.
  await deps.origins.add(conflicts.map((c) => ({ taskId: c.id, ...origin })));
  for (const record of records) {
    deps.events.publish("sync_conflict_detected", { conflict: { id: record.id, taskId: record.taskId, kind: record.kind, fields: record.fields, detectedAt: record.detectedAt } });
  }
}
