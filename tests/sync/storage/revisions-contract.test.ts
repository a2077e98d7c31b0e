import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "@/lib/db/create-database";
import { createMemorySyncStorage } from "@/lib/sync/storage/memory-sync-storage";
import { createSqlSyncStorage } from "@/lib/sync/storage/sql-sync-storage";
import type { RevisionChange, RevisionLimits, RevisionWrite, SyncStorage, SyncTransaction } from "@/lib/sync/storage/sync-storage";
import { taskDigest } from "@/lib/sync/storage/task-digest";
import { normalizeTask, type Task } from "@/lib/tasks/task-schema";
import { DB_KINDS, openTestDatabase } from "../../_support/databases";

/**
 * The revisions part of the SyncStorage contract (issue #17), on memory, PGlite and PostgreSQL:
 * a revision is a delta against the head, any stored revision can be rebuilt, pruning keeps the
 * newest, and the digests describe each delta.
 */

const task = (id: string, fields: Partial<Task> = {}): Task => normalizeTask({ id, name: `Task ${id}`, schedule: "0 * * * *", command: `run ${id}`, ...fields });
const LIMITS: RevisionLimits = { keep: 200, maxAgeMs: 30 * 24 * 3600 * 1000 };

const revision = (changes: RevisionChange[], fields: Partial<RevisionWrite> = {}): RevisionWrite => ({
  id: randomUUID(),
  runId: null,
  source: "db",
  checksum: `sha256:${randomUUID()}`,
  taskCount: 0,
  ancestorId: null,
  changes,
  ...fields,
});

const KINDS = ["memory", ...DB_KINDS] as const;

describe.each(KINDS)("revisions contract on %s", (kind) => {
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
      await opened.db.exec("TRUNCATE sync_revision_head, sync_revision_changes, sync_revisions");
      storage = createSqlSyncStorage(opened.db);
    } else {
      storage = createMemorySyncStorage();
    }
  });
  const tx = <T>(work: (t: SyncTransaction) => Promise<T>) => storage.transaction(work);
  const insert = (write: RevisionWrite, limits = LIMITS) => tx((t) => t.insertRevision(write, limits));

  it("starts with no revision and an empty head", async () => {
    expect(await storage.reads.latestRevision()).toBeNull();
    expect(await storage.reads.listRevisions({ limit: 10 })).toEqual([]);
    expect((await storage.reads.loadRevisionTasks(null)).size).toBe(0);
    expect(await storage.reads.loadRevisionDigests()).toEqual([]);
  });

  it("keeps each revision as a delta against its parent and rebuilds any of them", async () => {
    const a1 = task("a");
    const b1 = task("b");
    const a2 = task("a", { command: "run a --v2" });
    const c1 = task("c");
    const first = await insert(revision([{ taskId: "a", before: null, after: a1 }, { taskId: "b", before: null, after: b1 }], { taskCount: 2, source: "yaml" }));
    const second = await insert(revision([{ taskId: "a", before: a1, after: a2 }, { taskId: "b", before: b1, after: null }], { taskCount: 1, runId: randomUUID() }));
    const third = await insert(revision([{ taskId: "c", before: null, after: c1 }], { taskCount: 2, ancestorId: first.id, source: "merge" }));

    expect(first).toMatchObject({ parentId: null, added: 2, changed: 0, removed: 0, source: "yaml", taskCount: 2 });
    expect(second).toMatchObject({ parentId: first.id, added: 0, changed: 1, removed: 1 });
    expect(third).toMatchObject({ parentId: second.id, ancestorId: first.id, added: 1, source: "merge" });
    expect(first.seq < second.seq && second.seq < third.seq).toBe(true);
    expect(await storage.reads.latestRevision()).toEqual(third);
    expect((await storage.reads.listRevisions({ limit: 10 })).map((r) => r.id)).toEqual([third.id, second.id, first.id]);
    expect((await storage.reads.listRevisions({ limit: 10, beforeSeq: third.seq })).map((r) => r.id)).toEqual([second.id, first.id]);

    expect([...(await storage.reads.loadRevisionTasks(null)).values()]).toEqual([a2, c1]);
    expect([...(await storage.reads.loadRevisionTasks(third.id)).values()]).toEqual([a2, c1]);
    expect([...(await storage.reads.loadRevisionTasks(second.id)).values()]).toEqual([a2]);
    expect([...(await storage.reads.loadRevisionTasks(first.id)).values()]).toEqual([a1, b1]);
    expect([...(await storage.reads.loadRevisionTasks(first.id, ["b", "c"])).values()]).toEqual([b1]);
    expect((await storage.reads.loadRevisionTasks(randomUUID())).size).toBe(0);
    expect((await storage.reads.loadRevisionTasks("not-a-uuid")).size).toBe(0);

    const detail = await storage.reads.getRevision(second.id);
    expect(detail?.changes).toEqual([
      { taskId: "a", before: a1, after: a2 },
      { taskId: "b", before: b1, after: null },
    ]);
    expect(await storage.reads.getRevision(randomUUID())).toBeNull();
    expect(await storage.reads.findRevisionByChecksum(first.checksum)).toEqual(first);
    expect(await storage.reads.findRevisionByChecksum("sha256:none")).toBeNull();

    // The oldest revision's delta leads to a version that is not stored: it is left out.
    const digests = await storage.reads.loadRevisionDigests();
    expect(digests.map((d) => d.id)).toEqual([third.id, second.id]);
    const sorted = (changes: (typeof digests)[number]["changes"]) => [...changes].sort(([x], [y]) => (x < y ? -1 : 1));
    expect(sorted(digests[1].changes)).toEqual([
      ["a", taskDigest(a1), taskDigest(a2), a1, a2],
      ["b", taskDigest(b1), null, b1, null],
    ]);
    expect(digests[0].changes).toEqual([["c", null, taskDigest(c1), null, c1]]);
  });

  it("writes nothing when the transaction throws", async () => {
    await insert(revision([{ taskId: "a", before: null, after: task("a") }]));
    await expect(
      tx(async (t) => {
        await t.insertRevision(revision([{ taskId: "a", before: task("a"), after: null }]), LIMITS);
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect((await storage.reads.listRevisions({ limit: 10 })).length).toBe(1);
    expect([...(await storage.reads.loadRevisionTasks(null)).keys()]).toEqual(["a"]);
  });

  it("prunes to the newest `keep` and by age, always keeping the head; older ones still rebuild", async () => {
    let previous: Task | null = null;
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const next = task("a", { command: `run a --${i}` });
      ids.push((await insert(revision([{ taskId: "a", before: previous, after: next }]), { keep: 5, maxAgeMs: LIMITS.maxAgeMs })).id);
      previous = next;
    }
    const kept = await storage.reads.listRevisions({ limit: 100 });
    expect(kept.map((r) => r.id)).toEqual(ids.slice(3).reverse());
    expect((await storage.reads.loadRevisionTasks(ids[3])).get("a")?.command).toBe("run a --3");
    expect((await storage.reads.loadRevisionTasks(ids[2])).size).toBe(0);
    // An age limit shorter than their age leaves only the head.
    await new Promise((resolve) => setTimeout(resolve, 60));
    await insert(revision([{ taskId: "b", before: null, after: task("b") }]), { keep: 5, maxAgeMs: 30 });
    const left = await storage.reads.listRevisions({ limit: 100 });
    expect(left.length).toBe(1);
    expect([...(await storage.reads.loadRevisionTasks(left[0].id)).keys()]).toEqual(["a", "b"]);
  });

  it("costs its changed tasks at 10,000 tasks", async () => {
    const all = Array.from({ length: 10_000 }, (_, i) => task(`t${String(i).padStart(5, "0")}`));
    await insert(revision(all.map((t) => ({ taskId: t.id, before: null, after: t })), { taskCount: all.length }));
    const edited = task("t00042", { command: "edited" });
    const one = await insert(revision([{ taskId: "t00042", before: all[42], after: edited }], { taskCount: all.length }));
    expect((await storage.reads.getRevision(one.id))?.changes.length).toBe(1);
    const head = await storage.reads.loadRevisionTasks(null);
    expect(head.size).toBe(10_000);
    expect(head.get("t00042")).toEqual(edited);
    expect((await storage.reads.loadRevisionTasks(one.id, ["t00042"])).get("t00042")).toEqual(edited);
  }, 60_000);
});
