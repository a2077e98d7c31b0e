import { randomUUID } from "node:crypto";
import { resetSyncTables } from "../../_support/engine-harness";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "@/lib/db/create-database";
import { createMemorySyncStorage } from "@/lib/sync/storage/memory-sync-storage";
import { createSqlSyncStorage } from "@/lib/sync/storage/sql-sync-storage";
import { StorageBusyError, type ChangeRecord, type ConflictWrite, type RunWrite, type SyncStorage, type SyncTransaction } from "@/lib/sync/storage/sync-storage";
import { normalizeTask, type Task } from "@/lib/tasks/task-schema";
import { DB_KINDS, openTestDatabase } from "../../_support/databases";

/**
 * The SyncStorage contract: what the engine relies on from any adapter. The same cases run on
 * the in-memory adapter and the SQL adapter over PGlite and PostgreSQL, so an engine test on
 * memory says something about the engine on a database.
 */

const task = (id: string, fields: Partial<Task> = {}): Task => normalizeTask({ id, name: `Task ${id}`, schedule: "0 * * * *", command: `run ${id}`, ...fields });

const run = (fields: Partial<RunWrite> = {}): RunWrite => ({
  id: randomUUID(),
  trigger: "manual",
  direction: "bidirectional",
  status: "success",
  counts: { inSync: 1 },
  conflicts: 0,
  error: null,
  yamlChecksum: "sha256:00",
  startedAt: new Date(),
  durationMs: 3,
  ...fields,
});

const conflictOf = (id: string, fields: Partial<ConflictWrite> = {}): ConflictWrite => ({
  taskId: id,
  kind: "both_modified",
  base: task(id),
  yaml: task(id, { schedule: "0 3 * * *" }),
  db: task(id, { schedule: "0 4 * * *" }),
  fields: ["schedule"],
  ...fields,
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const KINDS = ["memory", ...DB_KINDS] as const;

describe.each(KINDS)("SyncStorage contract on %s", (kind) => {
  let opened: { db: Database; drop(): Promise<void> } | null = null;
  let storage: SyncStorage;
  beforeAll(async () => {
    if (kind !== "memory") opened = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await opened?.drop();
  });
  beforeEach(async () => {
    if (opened) {
      await resetSyncTables(opened.db);
      storage = createSqlSyncStorage(opened.db);
    } else {
      storage = createMemorySyncStorage();
    }
  });
  const tx = <T>(work: (t: SyncTransaction) => Promise<T>) => storage.transaction(work);

  it("starts empty", async () => {
    const state = await tx((t) => t.loadState());
    expect(state.db.size + state.base.size + state.open.size).toBe(0);
    expect(typeof state.generation).toBe("string");
    expect(await storage.reads.countOpenConflicts()).toBe(0);
    expect(await storage.reads.listRuns({ limit: 10 })).toEqual([]);
    expect(await storage.reads.loadTaskAndConflict("nope")).toEqual({ task: null, conflict: null });
  });

  it("creates tasks at version 1 and bumps the version only when a field really changes", async () => {
    await tx((t) => t.upsertTasks([task("b"), task("a")], "yaml"));
    let rows = await storage.reads.loadTasks();
    expect([...rows.keys()]).toEqual(["a", "b"]);
    expect(rows.get("a")).toMatchObject({ ...task("a"), version: 1, source: "yaml" });
    expect(Number.isNaN(Date.parse(rows.get("a")!.createdAt))).toBe(false);
    expect(Number.isNaN(Date.parse(rows.get("a")!.updatedAt))).toBe(false);

    await tx((t) => t.upsertTasks([task("a"), task("b", { enabled: false, tags: ["x"] })], "api"));
    rows = await storage.reads.loadTasks();
    expect(rows.get("a")).toMatchObject({ version: 1, source: "yaml" });
    expect(rows.get("b")).toMatchObject({ enabled: false, tags: ["x"], version: 2, source: "api" });
    expect([...(await storage.reads.loadTasks(["b", "zz"])).keys()]).toEqual(["b"]);

    await tx((t) => t.deleteTasks(["a"]));
    expect([...(await storage.reads.loadTasks()).keys()]).toEqual(["b"]);
  });

  it("loads the sync state of a scope: DB side, versions, base and open conflicts", async () => {
    await tx(async (t) => {
      await t.upsertTasks([task("a"), task("b"), task("c")], "yaml");
      await t.upsertTasks([task("b", { name: "B2" })], "api");
      await t.setBase([task("a"), task("b"), task("gone")]);
      await t.upsertOpenConflicts([conflictOf("b")], null);
    });
    const all = await tx((t) => t.loadState());
    expect([...all.db.keys()]).toEqual(["a", "b", "c"]);
    expect([...all.base.keys()].sort()).toEqual(["a", "b", "gone"]);
    expect(all.versions.get("b")).toBe(2);
    expect([...all.open.keys()]).toEqual(["b"]);
    expect(all.db.get("b")).toEqual(task("b", { name: "B2" }));

    const scoped = await tx((t) => t.loadState(["b", "gone", "nope"]));
    expect([...scoped.db.keys()]).toEqual(["b"]);
    expect([...scoped.base.keys()].sort()).toEqual(["b", "gone"]);
    expect([...scoped.open.keys()]).toEqual(["b"]);
    expect([...(await tx((t) => t.loadState(["a"]))).open.keys()]).toEqual([]);
  });

  it("sets and deletes the base", async () => {
    await tx((t) => t.setBase([task("a"), task("b")]));
    await tx((t) => t.setBase([task("a", { command: "new" })]));
    await tx((t) => t.deleteBase(["b"]));
    const base = await storage.reads.loadBase();
    expect([...base.values()]).toEqual([task("a", { command: "new" })]);
  });

  it("opens one conflict per task, returns only new or changed rows, and closes them", async () => {
    const runId = randomUUID();
    const opened = await tx((t) => t.upsertOpenConflicts([conflictOf("a"), conflictOf("b", { kind: "modify_delete", db: null, fields: ["name"] })], runId));
    expect(opened.map((c) => c.taskId).sort()).toEqual(["a", "b"]);
    const a = opened.find((c) => c.taskId === "a")!;
    expect(a).toMatchObject({ status: "open", kind: "both_modified", fields: ["schedule"], resolution: null, resolvedAt: null, runId });
    expect(opened.find((c) => c.taskId === "b")).toMatchObject({ db: null, kind: "modify_delete" });

    expect(await tx((t) => t.upsertOpenConflicts([conflictOf("a")], runId))).toEqual([]);
    const refreshed = await tx((t) => t.upsertOpenConflicts([conflictOf("a", { yaml: task("a", { schedule: "0 5 * * *" }) })], null));
    expect(refreshed).toHaveLength(1);
    expect(refreshed[0]).toMatchObject({ id: a.id, yaml: { schedule: "0 5 * * *" } });
    expect(await storage.reads.countOpenConflicts()).toBe(2);
    expect((await storage.reads.getConflict(a.id))?.yaml?.schedule).toBe("0 5 * * *");
    expect(await storage.reads.getConflict(randomUUID())).toBeNull();

    const closed = await tx((t) => t.closeConflicts(["a", "nope"], "keep_db"));
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({ id: a.id, status: "resolved", resolution: "keep_db" });
    expect(closed[0]!.resolvedAt).not.toBeNull();
    expect(await storage.reads.countOpenConflicts()).toBe(1);
    expect((await storage.reads.listConflicts("open")).map((c) => c.taskId)).toEqual(["b"]);
    expect((await storage.reads.listConflicts("resolved")).map((c) => c.taskId)).toEqual(["a"]);
    expect(await storage.reads.listConflicts("all")).toHaveLength(2);

    // A task may get a new open conflict once its old one is closed.
    const again = await tx((t) => t.upsertOpenConflicts([conflictOf("a")], null));
    expect(again[0]!.id).not.toBe(a.id);
    expect((await storage.reads.loadOpenConflicts(["a"])).get("a")?.id).toBe(again[0]!.id);
    expect((await storage.reads.loadTaskAndConflict("a")).conflict?.id).toBe(again[0]!.id);
  });

  it("keeps the revision a conflict's base came from, refreshes it, and reads it back everywhere (issue #17)", async () => {
    const revision = { id: randomUUID(), behind: 3 };
    const [opened] = await tx((t) => t.upsertOpenConflicts([conflictOf("a", { baseRevision: revision })], null));
    expect(opened).toMatchObject({ taskId: "a", baseRevision: revision });
    const [plain] = await tx((t) => t.upsertOpenConflicts([conflictOf("b")], null));
    expect(plain.baseRevision).toBeNull();
    expect((await storage.reads.getConflict(opened.id))?.baseRevision).toEqual(revision);
    expect((await storage.reads.loadOpenConflicts(["a"])).get("a")?.baseRevision).toEqual(revision);
    expect((await storage.reads.loadTaskAndConflict("a")).conflict?.baseRevision).toEqual(revision);
    expect((await storage.reads.listConflicts("open")).find((c) => c.taskId === "a")?.baseRevision).toEqual(revision);
    // The same sides with the same revision change nothing; another revision (or none) is a refresh.
    expect(await tx((t) => t.upsertOpenConflicts([conflictOf("a", { baseRevision: revision })], null))).toEqual([]);
    const moved = { id: randomUUID(), behind: 1 };
    expect(await tx((t) => t.upsertOpenConflicts([conflictOf("a", { baseRevision: moved })], null))).toMatchObject([{ id: opened.id, baseRevision: moved }]);
    expect(await tx((t) => t.upsertOpenConflicts([conflictOf("a")], null))).toMatchObject([{ id: opened.id, baseRevision: null }]);
    const [closed] = await tx((t) => t.upsertOpenConflicts([conflictOf("b", { baseRevision: revision })], null)).then(() => tx((t) => t.closeConflicts(["b"], "keep_yaml")));
    expect(closed.baseRevision).toEqual(revision);
  });

  it("moves the generation with every write, never with a read", async () => {
    const generation = () => tx((t) => t.loadGeneration());
    const writes: [string, (t: SyncTransaction) => Promise<unknown>][] = [
      ["upsertTasks", (t) => t.upsertTasks([task("a")], "yaml")],
      ["upsertTasks unchanged", (t) => t.upsertTasks([task("a")], "yaml")],
      ["setBase", (t) => t.setBase([task("a")])],
      ["upsertOpenConflicts", (t) => t.upsertOpenConflicts([conflictOf("a")], null)],
      ["closeConflicts", (t) => t.closeConflicts(["a"], "converged")],
      ["deleteBase", (t) => t.deleteBase(["a"])],
      ["deleteTasks", (t) => t.deleteTasks(["a"])],
    ];
    for (const [label, write] of writes) {
      const before = await generation();
      await storage.transaction(write);
      expect(BigInt(await generation()), label).toBeGreaterThan(BigInt(before));
    }
    const before = await generation();
    await tx(async (t) => {
      await t.loadState();
      await t.upsertTasks([], "yaml");
      await t.deleteTasks([]);
      await t.insertRun(run());
    });
    await storage.recordRun(run({ status: "error", error: "boom" }));
    expect(await generation()).toBe(before);
  });

  it("commits a transaction's writes together, and none of them when it throws", async () => {
    await tx((t) => t.upsertTasks([task("a")], "yaml"));
    const before = await tx((t) => t.loadGeneration());
    const failed = storage.transaction(async (t) => {
      await t.upsertTasks([task("a", { name: "changed" }), task("b")], "api");
      await t.setBase([task("b")]);
      await t.insertRun(run());
      expect((await t.loadTasks()).get("a")?.name).toBe("changed");
      throw new Error("the file write failed");
    });
    await expect(failed).rejects.toThrow("the file write failed");
    expect([...(await storage.reads.loadTasks()).values()].map((r) => r.name)).toEqual(["Task a"]);
    expect((await storage.reads.loadBase()).size).toBe(0);
    expect(await storage.reads.listRuns({ limit: 5 })).toEqual([]);
    expect(await tx((t) => t.loadGeneration())).toBe(before);
  });

  it("serializes transactions, and refuses one that may not wait while another runs", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const first = storage.transaction(async (t) => {
      await t.upsertTasks([task("a")], "first");
      entered();
      await held;
    });
    await inside;
    await expect(storage.transaction(async () => "ran", { wait: false })).rejects.toBeInstanceOf(StorageBusyError);
    const second = storage.transaction(async (t) => (await t.loadTasks()).get("a")?.source ?? null);
    release();
    await first;
    expect(await second).toBe("first");
    expect(await storage.transaction(async () => "free", { wait: false })).toBe("free");
  });

  it("records runs with their changes, newest first, and each task's history", async () => {
    const changes: ChangeRecord[] = [
      { taskId: "a", side: "db", action: "create", before: null, after: task("a") },
      { taskId: "b", side: "yaml", action: "delete", before: task("b"), after: null },
    ];
    const first = run({ startedAt: new Date(Date.now() - 60_000), trigger: "watch" });
    await tx((t) => t.insertRun(first, changes));
    const quiet = run({ startedAt: new Date(Date.now() - 30_000), trigger: "cron" });
    await tx((t) => t.insertRun(quiet));
    const failed = run({ startedAt: new Date(), status: "error", error: "database unavailable", counts: {} });
    await storage.recordRun(failed);

    const runs = await storage.reads.listRuns({ limit: 10 });
    expect(runs.map((r) => r.id)).toEqual([failed.id, quiet.id, first.id]);
    expect(runs[2]).toMatchObject({ trigger: "watch", direction: "bidirectional", status: "success", dryRun: false, counts: { inSync: 1 }, yamlChecksum: "sha256:00", durationMs: 3 });
    expect(runs[2]!.finishedAt).not.toBeNull();
    expect(runs[0]).toMatchObject({ status: "error", error: "database unavailable" });
    expect((await storage.reads.listRuns({ limit: 10, changedOnly: true })).map((r) => r.id)).toEqual([failed.id, first.id]);
    expect((await storage.reads.listRuns({ limit: 10, before: runs[1]!.startedAt })).map((r) => r.id)).toEqual([first.id]);
    expect((await storage.reads.listRuns({ limit: 1 })).map((r) => r.id)).toEqual([failed.id]);

    const detail = await storage.reads.getRun(first.id);
    expect(detail?.changes.map((c) => [c.taskId, c.side, c.action])).toEqual([
      ["a", "db", "create"],
      ["b", "yaml", "delete"],
    ]);
    expect(detail?.changes[0]!.after).toEqual(task("a"));
    expect(await storage.reads.getRun(randomUUID())).toBeNull();

    await tx((t) => t.insertRun(run({ trigger: "api" }), [{ taskId: "a", side: "yaml", action: "update", before: task("a"), after: task("a", { name: "A2" }) }]));
    const history = await storage.reads.taskHistory("a");
    expect(history.map((c) => [c.trigger, c.action])).toEqual([
      ["api", "update"],
      ["watch", "create"],
    ]);
    const change = await storage.reads.getChange(history[1]!.id);
    expect(change).toMatchObject({ taskId: "a", runId: first.id, trigger: "watch", action: "create", before: null });
    expect(await storage.reads.getChange("999999999")).toBeNull();
  });

  it("records each run's actor, filters the history by it, and names who resolved a conflict (issue #18)", async () => {
    const alice = { kind: "user" as const, name: "alice", id: randomUUID() };
    const byAlice = run({ trigger: "api", actor: alice, startedAt: new Date(Date.now() - 3000) });
    await tx((t) => t.insertRun(byAlice, [{ taskId: "a", side: "yaml", action: "create", before: null, after: task("a") }]));
    const byToken = run({ trigger: "manual", actor: { kind: "token", name: "ci", id: randomUUID() }, startedAt: new Date(Date.now() - 2000) });
    await tx((t) => t.insertRun(byToken));
    // No actor given: the one its trigger implies.
    const byHand = run({ trigger: "watch", startedAt: new Date(Date.now() - 1000) });
    await tx((t) => t.insertRun(byHand));
    const failed = run({ trigger: "cron", status: "error", error: "x", counts: {} });
    await storage.recordRun(failed);

    const runs = await storage.reads.listRuns({ limit: 10 });
    expect(runs.map((r) => r.actor)).toEqual([{ kind: "cron", name: null, id: null }, { kind: "file", name: null, id: null }, byToken.actor, alice]);
    const ids = async (actor: { kind: "user" | "token" | "file" | null; name: string | null }) => (await storage.reads.listRuns({ limit: 10, actor })).map((r) => r.id);
    expect(await ids({ kind: null, name: "alice" })).toEqual([byAlice.id]);
    expect(await ids({ kind: "token", name: "ci" })).toEqual([byToken.id]);
    expect(await ids({ kind: "token", name: "alice" })).toEqual([]);
    expect(await ids({ kind: "file", name: null })).toEqual([byHand.id]);
    expect((await storage.reads.taskHistory("a"))[0]!.actor).toEqual(alice);
    expect((await storage.reads.getRun(byAlice.id))!.actor).toEqual(alice);

    await tx((t) => t.upsertOpenConflicts([conflictOf("c")], null));
    const resolving = run({ trigger: "resolve", actor: { kind: "user", name: "bob", id: null } });
    const [closed] = await tx(async (t) => {
      const rows = await t.closeConflicts(["c"], "keep_db", resolving.id);
      await t.insertRun(resolving);
      return rows;
    });
    expect(closed!.resolvedRunId).toBe(resolving.id);
    const [listed] = await storage.reads.listConflicts("resolved");
    expect(listed).toMatchObject({ taskId: "c", resolution: "keep_db", resolvedRunId: resolving.id, resolvedBy: { kind: "user", name: "bob", id: null } });
    expect((await storage.reads.getConflict(listed!.id))!.resolvedBy).toEqual({ kind: "user", name: "bob", id: null });
  });

  it("renames a task in place: created time and version go on, and the history follows the rename (issue #17)", async () => {
    await tx((t) => t.upsertTasks([task("a"), task("other")], "yaml"));
    await tx((t) => t.insertRun(run({ trigger: "watch" }), [{ taskId: "a", side: "db", action: "create", before: null, after: task("a") }]));
    await tx((t) => t.upsertTasks([task("a", { name: "A2" })], "api"));
    await tx((t) => t.insertRun(run({ trigger: "api" }), [{ taskId: "a", side: "yaml", action: "update", before: task("a"), after: task("a", { name: "A2" }) }]));
    const before = (await storage.reads.loadTasks()).get("a")!;
    await sleep(5);
    const generation = await storage.reads.loadGeneration();
    const renamed = { ...task("a", { name: "A2" }), id: "b" };
    await tx(async (t) => {
      await t.renameTasks([{ from: "a", task: renamed }], "yaml");
      await t.insertRun(run({ trigger: "watch" }), [{ taskId: "b", side: "db", action: "rename", before: task("a", { name: "A2" }), after: renamed }]);
    });
    expect(await storage.reads.loadGeneration()).not.toBe(generation);
    const rows = await storage.reads.loadTasks();
    expect([...rows.keys()]).toEqual(["b", "other"]);
    expect(rows.get("b")).toMatchObject({ ...renamed, version: before.version + 1, source: "yaml", createdAt: before.createdAt });
    expect((await tx((t) => t.loadState(["a", "b"]))).versions.get("b")).toBe(before.version + 1);

    // The new id's history: the rename, then the old id's changes before it.
    const history = (id: string) => storage.reads.taskHistory(id).then((items) => items.map((c) => [c.taskId, c.action]));
    expect(await history("b")).toEqual([
      ["b", "rename"],
      ["a", "update"],
      ["a", "create"],
    ]);
    // The old id's history ends with its rename away; a task made under the old id later starts there.
    expect(await history("a")).toEqual([
      ["b", "rename"],
      ["a", "update"],
      ["a", "create"],
    ]);
    // A chain (a → b → c) is followed back to the start; a rename back (c → a) does not loop.
    const c = { ...renamed, id: "c" };
    await tx(async (t) => {
      await t.renameTasks([{ from: "b", task: c }], "yaml");
      await t.insertRun(run({ trigger: "watch" }), [{ taskId: "c", side: "db", action: "rename", before: renamed, after: c }]);
    });
    await tx(async (t) => {
      await t.renameTasks([{ from: "c", task: { ...c, id: "a" } }], "yaml");
      await t.insertRun(run({ trigger: "watch" }), [{ taskId: "a", side: "db", action: "rename", before: c, after: { ...c, id: "a" } }]);
    });
    expect(await history("a")).toEqual([
      ["a", "rename"],
      ["c", "rename"],
      ["b", "rename"],
      ["a", "update"],
      ["a", "create"],
    ]);
    expect((await storage.reads.loadTasks()).get("a")).toMatchObject({ version: before.version + 3, createdAt: before.createdAt });
    expect((await storage.reads.taskHistory("a", 2)).map((x) => x.action)).toEqual(["rename", "rename"]);
  });

  it("refuses a rename onto an id that is taken, and changes nothing then", async () => {
    await tx((t) => t.upsertTasks([task("a"), task("b")], "yaml"));
    await expect(tx((t) => t.renameTasks([{ from: "a", task: { ...task("a"), id: "b" } }], "yaml"))).rejects.toThrow();
    expect([...(await storage.reads.loadTasks()).keys()]).toEqual(["a", "b"]);
  });

  it("tells whether a run of a trigger succeeded recently", async () => {
    await tx((t) => t.insertRun(run({ trigger: "cron" })));
    await tx((t) => t.insertRun(run({ trigger: "manual", status: "error" })));
    expect(await tx((t) => t.ranRecently("cron", 60_000))).toBe(true);
    expect(await tx((t) => t.ranRecently("manual", 60_000))).toBe(false);
    await sleep(30);
    expect(await tx((t) => t.ranRecently("cron", 5))).toBe(false);
  });

  it("counts the settled tasks outside a scope", async () => {
    await tx(async (t) => {
      await t.upsertTasks([task("a"), task("b"), task("c"), task("d")], "yaml");
      await t.upsertOpenConflicts([conflictOf("c"), conflictOf("gone")], null);
    });
    expect(await tx((t) => t.countSettled(["a"]))).toEqual({ inSync: 2, conflicts: 2 });
    expect(await tx((t) => t.countSettled(["c", "gone"]))).toEqual({ inSync: 3, conflicts: 0 });
  });

  it("hands out copies: changing a value read does not change what is stored", async () => {
    await tx((t) => t.upsertTasks([task("a", { tags: ["x"] })], "yaml"));
    const state = await tx((t) => t.loadState());
    state.db.get("a")!.tags.push("mutated");
    state.db.delete("a");
    expect((await storage.reads.loadTasks()).get("a")?.tags).toEqual(["x"]);
  });
});
