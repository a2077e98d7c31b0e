import fs from "node:fs/promises";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseSchedule } from "@/lib/yaml";
import { DB_KINDS } from "../_support/databases";
import { createHarness, useSuiteDatabase, yamlOf, type Harness } from "../_support/engine-harness";

/**
 * Issue #16: a backup taken before a mass deletion is pinned (never rotated out) until someone
 * acts. Real file store (5 rotating backups) on PGlite and PostgreSQL.
 */

const IDS = Array.from({ length: 20 }, (_, i) => `job-${String(i).padStart(2, "0")}`);
const DELETED = IDS.slice(0, 15);

describe.each(DB_KINDS)("the backup before a held mass deletion on %s", (kind) => {
  const suite = useSuiteDatabase(kind);
  let h: Harness;
  // createCore keeps the backups in DATA_DIR/backups (the harness's folder).
  const backups = () => path.join(h.dir, "backups");
  const files = async () => (await fs.readdir(backups()).catch(() => [] as string[])).sort();
  const pinned = async () => (await files()).filter((f) => f.endsWith(".pinned.bak"));
  const tasksIn = async (file: string) => {
    const parsed = parseSchedule(await fs.readFile(path.join(backups(), file), "utf8"));
    if (!parsed.ok) throw new Error(`backup ${file} does not parse`);
    return [...parsed.tasks.keys()].sort();
  };
  /** Small dashboard edits: each one writes the file and takes an ordinary backup. */
  const edits = async (n: number) => {
    for (let i = 0; i < n; i++) await h.engine.writeTask({ kind: "patch", id: "job-19", patch: (t) => ({ ...t, description: `edit ${i} ${Date.now()}` }) });
  };

  beforeAll(() => suite.open(), 60_000);
  afterAll(() => suite.drop());
  beforeEach(async () => {
    h = await createHarness(suite.db);
    await h.writeYaml(yamlOf(Object.fromEntries(IDS.map((id) => [id, { name: id, schedule: "0 * * * *", command: `/bin/${id}` }]))));
    await h.engine.run({ trigger: "startup" });
  });
  afterEach(() => h.close());

  it("DELETE in the DB of most tasks pins the file as it was; edits rotate every other backup out, not that one", async () => {
    for (const id of DELETED) await h.deleteDbTask(id);
    await h.engine.run({ trigger: "manual" });
    expect((await h.openConflicts()).filter((c) => c.kind === "held_deletion")).toHaveLength(DELETED.length);

    const [copy] = await pinned();
    expect(copy).toBeDefined();
    expect(await tasksIn(copy!)).toEqual(IDS);

    await edits(8);
    const all = await files();
    expect(all.filter((f) => !f.endsWith(".pinned.bak"))).toHaveLength(5);
    expect(await pinned()).toEqual([copy]);
    // A second run while the deletions are still held pins nothing more.
    await h.engine.run({ trigger: "manual" });
    expect(await pinned()).toEqual([copy]);
  });

  it("once a person applies the deletions, the pinned copy becomes an ordinary backup and rotates out", async () => {
    for (const id of DELETED) await h.deleteDbTask(id);
    await h.engine.run({ trigger: "manual" });
    const [copy] = await pinned();
    expect(copy).toBeDefined();

    const decided = await h.engine.decideHeldDeletions("db", "apply");
    expect(decided.taskIds).toEqual(DELETED);
    expect([...(await h.yamlTasks()).keys()].sort()).toEqual(IDS.slice(15));
    expect(await pinned()).toEqual([]);
    const released = copy!.replace(/\.pinned\.bak$/, ".bak");
    expect(await files()).toContain(released);
    expect(await tasksIn(released)).toEqual(IDS);

    await edits(6);
    expect(await files()).not.toContain(released);
  });

  it("deletions the file made pin nothing: the DB and the held conflicts keep the tasks", async () => {
    await h.writeYaml(yamlOf(Object.fromEntries(IDS.slice(15).map((id) => [id, { name: id, schedule: "0 * * * *", command: `/bin/${id}` }]))));
    await h.engine.run({ trigger: "manual" });
    expect((await h.openConflicts()).filter((c) => c.kind === "held_deletion")).toHaveLength(DELETED.length);
    expect(await pinned()).toEqual([]);
    expect([...(await h.dbTasks()).keys()].sort()).toEqual(IDS);
  });
});
