import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { formatPlan } from "@/cli/format-plan";
import { conflictRename } from "@/lib/sync/conflict-rename";
import { backup, ENGINE_KINDS, health, report, useEngineSuite, yamlOf, type EngineHarness } from "../_support/engine-harness";

/**
 * Issue #17, "Renames", in the engine with a real file: a task whose id changed in the file while
 * everything else stayed is renamed in the DB, keeping its row's created time, its version and
 * its history. On memory, PGlite and PostgreSQL.
 */

const TASKS = { "daily-backup": backup, "hourly-health": health, "weekly-report": report };

/** The file's text with one task's key renamed, as a person does it in an editor (comments stay). */
const renameKey = (text: string, from: string, to: string) => {
  const next = text.replace(new RegExp(`^(\\s*)${from}:`, "m"), `$1${to}:`);
  if (next === text) throw new Error(`no key ${from} in the file`);
  return next;
};

describe.each(ENGINE_KINDS)("task renames on %s", (kind) => {
  const suite = useEngineSuite(kind);
  let h: EngineHarness;
  beforeAll(() => suite.open());
  afterAll(() => suite.drop());
  beforeEach(async () => {
    h = await suite.harness();
    await h.writeYaml(yamlOf(TASKS, "# the team's schedule\n"));
    await h.engine.run({ trigger: "startup" });
    // A dashboard edit, so the row has a history and a version above 1.
    await h.engine.writeTask({ kind: "patch", id: "daily-backup", patch: (t) => ({ ...t, command: "/opt/backup.sh --v2" }) });
  });
  afterEach(async () => {
    await h.close();
  });

  it("renames the DB row: created time, version and history follow it; the next sync is a no-op", async () => {
    const before = (await h.storage.reads.loadTasks()).get("daily-backup")!;
    await h.writeYaml(renameKey(await h.readYaml(), "daily-backup", "nightly-backup"));
    const result = await h.engine.run({ trigger: "watch" });

    const rows = await h.storage.reads.loadTasks();
    expect(rows.has("daily-backup")).toBe(false);
    expect(rows.get("nightly-backup")).toMatchObject({ command: "/opt/backup.sh --v2", createdAt: before.createdAt, version: before.version + 1, source: "yaml" });
    expect([...(await h.baseTasks()).keys()].sort()).toEqual(["hourly-health", "nightly-backup", "weekly-report"]);
    expect(result.counts).toMatchObject({ renamed: 1, toDb: { create: 0, update: 1, delete: 0 }, toYaml: { create: 0, update: 0, delete: 0 } });
    expect(result.changedTaskIds.sort()).toEqual(["daily-backup", "nightly-backup"]);

    const history = await h.storage.reads.taskHistory("nightly-backup");
    expect(history.map((c) => [c.taskId, c.side, c.action])).toEqual([
      ["nightly-backup", "db", "rename"],
      ["daily-backup", "yaml", "update"],
      ["daily-backup", "db", "update"],
      ["daily-backup", "db", "create"],
    ]);
    expect(history[0]).toMatchObject({ trigger: "watch", before: { id: "daily-backup" }, after: { id: "nightly-backup", command: "/opt/backup.sh --v2" } });
    // The old id's page says where it went.
    expect((await h.storage.reads.taskHistory("daily-backup"))[0]).toMatchObject({ action: "rename", taskId: "nightly-backup" });

    const checksum = (await h.engine.run({ trigger: "manual" })).yamlChecksum;
    const again = await h.engine.run({ trigger: "manual" });
    expect(again.changedTaskIds).toEqual([]);
    expect(again.yamlChecksum).toBe(checksum);
    expect((await h.readYaml()).startsWith("# the team's schedule\n")).toBe(true);
  });

  it("a dry run shows the rename as one and changes nothing", async () => {
    await h.writeYaml(renameKey(await h.readYaml(), "daily-backup", "nightly-backup"));
    const dry = await h.engine.run({ trigger: "manual", dryRun: true });
    expect(dry.counts).toMatchObject({ renamed: 1, toDb: { create: 0, update: 1, delete: 0 } });
    expect(formatPlan(dry, "test").split("\n").filter((line) => /^\s+[-+~>!] /.test(line))).toEqual(["  > nightly-backup  database would rename daily-backup to it (the file renamed it)"]);
    expect((await h.dbTasks()).has("daily-backup")).toBe(true);
  });

  it("a rename whose old task the dashboard changed meanwhile loses no edit: the old id is a delete/modify conflict", async () => {
    await h.writeYaml(renameKey(await h.readYaml(), "hourly-health", "health-check"));
    await h.engine.writeTask({ kind: "patch", id: "hourly-health", patch: (t) => ({ ...t, enabled: false }) });
    await h.engine.run({ trigger: "watch" });
    const [conflict, ...rest] = await h.openConflicts();
    expect(rest).toEqual([]);
    expect(conflict).toMatchObject({ taskId: "hourly-health", kind: "delete_modify", yaml: null, db: { enabled: false } });
    expect((await h.dbTasks()).has("health-check")).toBe(true);
    // The conflict view names the new id the file gave it.
    expect(conflictRename(conflict, await h.storage.reads.taskHistory(conflict.taskId), await h.yamlTasks())).toEqual({ renamedFrom: null, renamedInFileTo: "health-check" });
  });

  it("a later conflict on a renamed task names the old id", async () => {
    await h.writeYaml(renameKey(await h.readYaml(), "daily-backup", "nightly-backup"));
    await h.engine.run({ trigger: "watch" });
    await h.writeYaml((await h.readYaml()).replace("/opt/backup.sh --v2", "/opt/backup.sh --v3"));
    await h.engine.writeTask({ kind: "patch", id: "nightly-backup", patch: (t) => ({ ...t, command: "/opt/backup.sh --v4" }) });
    const [conflict] = await h.openConflicts();
    expect(conflict).toMatchObject({ taskId: "nightly-backup", kind: "both_modified" });
    expect(conflictRename(conflict, await h.storage.reads.taskHistory(conflict.taskId), await h.yamlTasks())).toEqual({ renamedFrom: "daily-backup", renamedInFileTo: null });
  });

  it("a file saved from before the rename does not undo it: the old id goes again, the new one comes back", async () => {
    const stale = await h.readYaml();
    await h.writeYaml(renameKey(stale, "daily-backup", "nightly-backup"));
    await h.engine.run({ trigger: "watch" });
    // An editor's buffer from before the rename, saved with an edit to another task.
    await h.writeYaml(stale.replace("Weekly report", "Weekly report (edited)"));
    const result = await h.engine.run({ trigger: "watch" });

    const db = await h.dbTasks();
    const yaml = await h.yamlTasks();
    expect([...db.keys()].sort()).toEqual(["hourly-health", "nightly-backup", "weekly-report"]);
    expect([...yaml.keys()].sort()).toEqual(["hourly-health", "nightly-backup", "weekly-report"]);
    expect(db.get("weekly-report")?.name).toBe("Weekly report (edited)");
    expect(result.lineage?.keptNewer).toEqual(["daily-backup", "nightly-backup"]);
    expect(await h.openConflicts()).toEqual([]);
    expect((await h.engine.run({ trigger: "manual" })).changedTaskIds).toEqual([]);
  });
});
