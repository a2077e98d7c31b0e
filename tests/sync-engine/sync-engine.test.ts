import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { statusOf } from "@/lib/api/error-status";
import { isCodedError, type CodedError } from "@/lib/errors";
import { createSqlSyncStorage } from "@/lib/sync/storage/sql-sync-storage";
import { taskSchema } from "@/lib/tasks/task-schema";
import { DB_KINDS } from "../_support/databases";
import {
  backup,
  createHarness,
  ENGINE_KINDS,
  health,
  report,
  useEngineSuite,
  useSuiteDatabase,
  yamlOf,
  type EngineHarness,
  type Harness,
} from "../_support/engine-harness";

const sql = (h: Harness, text: string, ...params: unknown[]) => h.db.prisma.$executeRawUnsafe(text, ...params);

/** The promise fails with a coded error that the API answers with `status`. */
async function expectCodedError(promise: Promise<unknown>, status: number, code: string) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(isCodedError(error)).toBe(true);
  expect(error).toMatchObject({ code });
  expect(statusOf((error as CodedError).code)).toBe(status);
  return error as CodedError;
}

async function expectAllEqual(h: EngineHarness) {
  const [yaml, db, base] = await Promise.all([h.yamlTasks(), h.dbTasks(), h.baseTasks()]);
  expect([...db.values()]).toEqual([...yaml.values()].sort((a, b) => a.id.localeCompare(b.id)));
  expect(new Map([...base].sort())).toEqual(new Map([...db].sort()));
}

describe.each(ENGINE_KINDS)("sync engine on %s", (kind) => {
  const suite = useEngineSuite(kind);
  let h: EngineHarness;
  beforeAll(() => suite.open());
  afterAll(() => suite.drop());
  beforeEach(async () => {
    h = await suite.harness();
  });
  afterEach(async () => {
    await h.close();
  });

  it("imports a YAML file into an empty database and records the run", async () => {
    await h.writeYaml(yamlOf({ "daily-backup": backup, "hourly-health": health, "weekly-report": report }));
    const result = await h.engine.run({ trigger: "manual" });
    expect(result.status).toBe("success");
    expect(result.counts.toDb.create).toBe(3);
    expect(result.changedTaskIds).toEqual(["daily-backup", "hourly-health", "weekly-report"]);
    await expectAllEqual(h);
    const db = await h.dbTasks();
    expect(db.get("weekly-report")).toMatchObject({ timezone: "Europe/Berlin", enabled: true, description: null, tags: [] });
    const runs = (await h.runs()).map((run) => ({ trigger: run.trigger, status: run.status, n: run.changes.length }));
    expect(runs).toEqual([{ trigger: "manual", status: "success", n: 3 }]);
    expect(h.events.map((e) => e.name)).toContain("schedule_config_updated");
  });

  it("makes a sync right after a sync a no-op: no write, no change, same checksum", async () => {
    await h.writeYaml(yamlOf({ "daily-backup": { ...backup, schedule: "0   2 * * *" }, "hourly-health": health }));
    await h.engine.run({ trigger: "manual" });
    const text = await h.readYaml();
    const second = await h.engine.run({ trigger: "manual" });
    expect(second.changedTaskIds).toEqual([]);
    expect(second.counts.inSync).toBe(2);
    expect(await h.readYaml()).toBe(text);
    const third = await h.engine.run({ trigger: "cron" });
    expect(third.changedTaskIds).toEqual([]);
  });

  it("creates a missing file from the database", async () => {
    await h.writeYaml(yamlOf({ "daily-backup": backup }));
    await h.engine.run({ trigger: "manual" });
    await h.removeYaml();
    await h.engine.run({ trigger: "manual" });
    expect([...(await h.yamlTasks()).keys()]).toEqual(["daily-backup"]);
    await expectAllEqual(h);
  });

  it("writes a YAML edit to the DB and a DB edit to the YAML, keeping comments", async () => {
    await h.writeYaml(yamlOf({ "daily-backup": backup, "hourly-health": health }, "# Team schedule: keep me\n"));
    await h.engine.run({ trigger: "manual" });
    await h.writeYaml(yamlOf({ "daily-backup": { ...backup, schedule: "30 2 * * *" }, "hourly-health": health }, "# Team schedule: keep me\n"));
    let result = await h.engine.run({ trigger: "watch" });
    expect(result.counts.toDb.update).toBe(1);
    expect((await h.dbTasks()).get("daily-backup")?.schedule).toBe("30 2 * * *");

    await h.updateDbTask("hourly-health", { enabled: false });
    result = await h.engine.run({ trigger: "manual" });
    expect(result.counts.toYaml.update).toBe(1);
    expect((await h.yamlTasks()).get("hourly-health")?.enabled).toBe(false);
    expect(await h.readYaml()).toContain("# Team schedule: keep me");
    await expectAllEqual(h);
  });

  it("propagates creations and deletions both ways", async () => {
    await h.writeYaml(yamlOf({ "daily-backup": backup, "hourly-health": health }));
    await h.engine.run({ trigger: "manual" });
    await h.writeYaml(yamlOf({ "daily-backup": backup, "weekly-report": report }));
    await h.insertDbTask({ id: "db-made", name: "From the UI", schedule: "0 4 * * *", command: "x" });
    const result = await h.engine.run({ trigger: "manual" });
    expect(result.counts.toDb).toMatchObject({ create: 1, delete: 1 });
    expect(result.counts.toYaml).toMatchObject({ create: 1 });
    expect([...(await h.dbTasks()).keys()]).toEqual(["daily-backup", "db-made", "weekly-report"]);
    await expectAllEqual(h);
  });

  it("merges disjoint field edits made on both sides", async () => {
    await h.writeYaml(yamlOf({ "daily-backup": backup }));
    await h.engine.run({ trigger: "manual" });
    await h.writeYaml(yamlOf({ "daily-backup": { ...backup, schedule: "0 3 * * *" } }));
    await h.updateDbTask("daily-backup", { command: "/opt/backup.sh --full" });
    const result = await h.engine.run({ trigger: "manual" });
    expect(result.counts.merged).toBe(1);
    expect((await h.dbTasks()).get("daily-backup")).toMatchObject({ schedule: "0 3 * * *", command: "/opt/backup.sh --full" });
    await expectAllEqual(h);
  });

  it("opens one conflict for the same field changed differently, leaves both sides alone, and keeps syncing other tasks", async () => {
    await h.writeYaml(yamlOf({ "daily-backup": backup, "hourly-health": health }));
    await h.engine.run({ trigger: "manual" });
    await h.writeYaml(yamlOf({ "daily-backup": { ...backup, schedule: "0 3 * * *" }, "hourly-health": { ...health, name: "Renamed" } }));
    await h.updateDbTask("daily-backup", { schedule: "0 4 * * *" });
    const result = await h.engine.run({ trigger: "manual" });
    expect(result.conflicts).toBe(1);
    expect((await h.yamlTasks()).get("daily-backup")?.schedule).toBe("0 3 * * *");
    expect((await h.dbTasks()).get("daily-backup")?.schedule).toBe("0 4 * * *");
    expect((await h.dbTasks()).get("hourly-health")?.name).toBe("Renamed");
    const detected = h.events.filter((e) => e.name === "sync_conflict_detected");
    expect(detected).toHaveLength(1);

    await h.engine.run({ trigger: "manual" });
    const open = (await h.openConflicts()).map(({ taskId, kind, fields }) => ({ taskId, kind, fields }));
    expect(open).toEqual([{ taskId: "daily-backup", kind: "both_modified", fields: ["schedule"] }]);
    expect(h.events.filter((e) => e.name === "sync_conflict_detected")).toHaveLength(1);
    expect(h.engine.status().openConflicts).toBe(1);
  });

  it.each([
    ["keep_yaml", "0 3 * * *"],
    ["keep_db", "0 4 * * *"],
    ["merge", "0 5 * * *"],
  ] as const)("resolves a conflict with %s on both sides", async (resolution, expected) => {
    await h.writeYaml(yamlOf({ "daily-backup": backup }));
    await h.engine.run({ trigger: "manual" });
    await h.writeYaml(yamlOf({ "daily-backup": { ...backup, schedule: "0 3 * * *" } }));
    await h.updateDbTask("daily-backup", { schedule: "0 4 * * *" });
    await h.engine.run({ trigger: "manual" });
    const [conflict] = await h.openConflicts();
    const merged = resolution === "merge" ? taskSchema.parse({ id: "daily-backup", ...backup, schedule: "0 5 * * *" }) : undefined;
    await h.engine.resolveConflict(conflict.id, resolution, merged);
    expect((await h.dbTasks()).get("daily-backup")?.schedule).toBe(expected);
    await expectAllEqual(h);
    expect(h.events.at(-1)?.name === "sync_conflict_resolved" || h.events.some((e) => e.name === "sync_conflict_resolved")).toBe(true);
    const after = await h.engine.run({ trigger: "manual" });
    expect(after.changedTaskIds).toEqual([]);
    expect(after.conflicts).toBe(0);
  });

  it("answers 409 to a stale resolve and refreshes the conflict", async () => {
    await h.writeYaml(yamlOf({ "daily-backup": backup }));
    await h.engine.run({ trigger: "manual" });
    await h.writeYaml(yamlOf({ "daily-backup": { ...backup, schedule: "0 3 * * *" } }));
    await h.updateDbTask("daily-backup", { schedule: "0 4 * * *" });
    await h.engine.run({ trigger: "manual" });
    const [conflict] = await h.openConflicts();
    await h.writeYaml(yamlOf({ "daily-backup": { ...backup, schedule: "0 6 * * *" } }));
    const error = await expectCodedError(h.engine.resolveConflict(conflict.id, "keep_db"), 409, "conflict_stale");
    expect((error.details as { conflict: { yaml: { schedule: string } } }).conflict.yaml.schedule).toBe("0 6 * * *");
    expect((await h.dbTasks()).get("daily-backup")?.schedule).toBe("0 4 * * *");
  });

  it("turns an edit against a deletion into a conflict", async () => {
    await h.writeYaml(yamlOf({ "daily-backup": backup, "hourly-health": health }));
    await h.engine.run({ trigger: "manual" });
    await h.writeYaml(yamlOf({ "hourly-health": { ...health, name: "Edited in YAML" } }));
    await h.deleteDbTask("hourly-health");
    await h.updateDbTask("daily-backup", { name: "Edited in DB" });
    const result = await h.engine.run({ trigger: "manual" });
    expect(result.conflicts).toBe(2);
    const kinds = (await h.openConflicts()).map(({ taskId, kind }) => ({ taskId, kind }));
    expect(kinds).toEqual([
      { taskId: "daily-backup", kind: "delete_modify" },
      { taskId: "hourly-health", kind: "modify_delete" },
    ]);
  });

  it("refuses an invalid file: the run fails, is recorded, and the DB is untouched", async () => {
    await h.writeYaml(yamlOf({ "daily-backup": backup, "hourly-health": health }));
    await h.engine.run({ trigger: "manual" });
    const before = await h.dbTasks();
    await h.writeYaml("version: 1\ntasks:\n  daily-backup:\n    name: [unclosed\n");
    const error = await expectCodedError(h.engine.run({ trigger: "watch" }), 409, "yaml_invalid");
    expect(error.message).toMatch(/line \d+/);
    expect(await h.dbTasks()).toEqual(before);
    expect(h.engine.status()).toMatchObject({ state: "error", yaml: { valid: false } });
    const [run] = await h.runs();
    expect(run.status).toBe("error");
    await h.writeYaml(yamlOf({ "daily-backup": backup, "hourly-health": health }));
    await h.engine.run({ trigger: "watch" });
    expect(h.engine.status()).toMatchObject({ state: "idle", yaml: { valid: true } });
  });

  it("lets a forced direction win everything, and shows the plan first on a dry run", async () => {
    await h.writeYaml(yamlOf({ "daily-backup": backup, "hourly-health": health }));
    await h.engine.run({ trigger: "manual" });
    await h.writeYaml(yamlOf({ "daily-backup": { ...backup, schedule: "0 3 * * *" }, "hourly-health": health }));
    await h.updateDbTask("daily-backup", { schedule: "0 4 * * *" });
    await h.engine.run({ trigger: "manual" });
    await h.writeYaml(yamlOf({ "daily-backup": { ...backup, schedule: "0 3 * * *" } }));
    await h.updateDbTask("hourly-health", { name: "Renamed in DB" });

    const dry = await h.engine.run({ trigger: "manual", direction: "yaml_to_db", force: true, dryRun: true });
    expect(dry.status).toBe("dry_run");
    expect(dry.counts.toDb).toMatchObject({ update: 1, delete: 1 });
    expect(dry.plan?.map((d) => `${d.id}:${d.action}`)).toEqual(["daily-backup:write_db", "hourly-health:write_db"]);
    expect((await h.dbTasks()).get("hourly-health")?.name).toBe("Renamed in DB");
    const bidirectional = await h.engine.run({ trigger: "manual", dryRun: true });
    expect(bidirectional.plan?.map((d) => `${d.id}:${d.action}`)).toEqual(["daily-backup:conflict", "hourly-health:conflict"]);

    await h.engine.run({ trigger: "manual", direction: "yaml_to_db", force: true });
    expect([...(await h.dbTasks()).values()].map((t) => t.schedule)).toEqual(["0 3 * * *"]);
    const open = await h.openConflicts();
    expect(open).toHaveLength(0);
    await expectAllEqual(h);
  });

  describe("API writes are one-task syncs", () => {
    beforeEach(async () => {
      await h.writeYaml(yamlOf({ "daily-backup": backup, "hourly-health": health }));
      await h.engine.run({ trigger: "startup" });
    });

    it("writes through to the YAML and bumps the version", async () => {
      const result = await h.engine.writeTask({ kind: "patch", id: "daily-backup", version: 1, patch: (t) => ({ ...t, enabled: false }) });
      expect(result.task).toMatchObject({ enabled: false, version: 2, source: "api" });
      expect(result.conflict).toBeNull();
      expect((await h.yamlTasks()).get("daily-backup")?.enabled).toBe(false);
      await expectAllEqual(h);
    });

    it("merges an unsynced hand edit of another field instead of overwriting it", async () => {
      await h.writeYaml(yamlOf({ "daily-backup": { ...backup, command: "/opt/backup.sh --hand" }, "hourly-health": health }));
      const result = await h.engine.writeTask({ kind: "patch", id: "daily-backup", patch: (t) => ({ ...t, enabled: false }) });
      expect(result.merged).toBe(true);
      expect((await h.yamlTasks()).get("daily-backup")).toMatchObject({ enabled: false, command: "/opt/backup.sh --hand" });
      expect((await h.dbTasks()).get("daily-backup")).toMatchObject({ enabled: false, command: "/opt/backup.sh --hand" });
    });

    it("keeps the API's value in the DB and opens a conflict when the hand edit touched the same field", async () => {
      await h.writeYaml(yamlOf({ "daily-backup": { ...backup, schedule: "0 3 * * *" }, "hourly-health": health }));
      const result = await h.engine.writeTask({ kind: "patch", id: "daily-backup", patch: (t) => ({ ...t, schedule: "0 4 * * *" }) });
      expect(result.conflict).toMatchObject({ taskId: "daily-backup", kind: "both_modified", fields: ["schedule"] });
      expect((await h.dbTasks()).get("daily-backup")?.schedule).toBe("0 4 * * *");
      expect((await h.yamlTasks()).get("daily-backup")?.schedule).toBe("0 3 * * *");
    });

    it("rolls the DB back when the file on disk is invalid", async () => {
      await h.writeYaml("version: 1\ntasks: [");
      await expectCodedError(
        h.engine.writeTask({ kind: "patch", id: "daily-backup", patch: (t) => ({ ...t, enabled: false }) }),
        409,
        "yaml_invalid",
      );
      expect((await h.dbTasks()).get("daily-backup")?.enabled).toBe(true);
    });

    it("rejects a stale version with 409 and a duplicate create with 409", async () => {
      await expectCodedError(h.engine.writeTask({ kind: "delete", id: "daily-backup", version: 7 }), 409, "stale_version");
      await expectCodedError(
        h.engine.writeTask({ kind: "create", task: taskSchema.parse({ id: "daily-backup", ...backup }) }),
        409,
        "already_exists",
      );
      await expectCodedError(h.engine.writeTask({ kind: "delete", id: "nope" }), 404, "not_found");
    });
  });

  describe("after a settled run (nothing changed in the DB since: only the YAML's changed tasks are reconciled)", () => {
    /** What a full run reports on the state as it is now: another engine on the same file and DB has nothing settled. */
    async function fullRunCounts() {
      const plan = await h.otherEngine().run({ trigger: "manual", dryRun: true });
      return plan.counts;
    }

    it("finds a change made in SQL behind its back: to a task, to the base, to a conflict", async () => {
      await h.writeYaml(yamlOf({ "daily-backup": backup, "hourly-health": health }));
      await h.engine.run({ trigger: "manual" });
      await h.engine.run({ trigger: "cron" });

      await h.updateDbTask("daily-backup", { name: "Renamed in SQL" });
      const afterTask = await h.engine.run({ trigger: "cron" });
      expect(afterTask.changedTaskIds).toEqual(["daily-backup"]);
      expect((await h.yamlTasks()).get("daily-backup")?.name).toBe("Renamed in SQL");

      await h.clearBase();
      await h.engine.run({ trigger: "cron" });
      expect([...(await h.baseTasks()).keys()].sort()).toEqual(["daily-backup", "hourly-health"]);
      await expectAllEqual(h);
    });

    it("reconciles a hand edit, leaves the rest alone, and counts the run as a full run would", async () => {
      await h.writeYaml(yamlOf({ "daily-backup": backup, "hourly-health": health, "weekly-report": report }));
      await h.engine.run({ trigger: "manual" });
      // An open conflict on one task, and a settled run over it.
      await h.writeYaml(yamlOf({ "daily-backup": { ...backup, schedule: "0 3 * * *" }, "hourly-health": health, "weekly-report": report }));
      await h.updateDbTask("daily-backup", { schedule: "0 4 * * *" });
      await h.engine.run({ trigger: "manual" });
      const settledRun = await h.engine.run({ trigger: "cron" });
      expect(settledRun.changedTaskIds).toEqual([]);
      expect(settledRun.counts).toEqual(await fullRunCounts());
      expect(settledRun.counts).toMatchObject({ total: 3, inSync: 2, conflicts: 1 });

      await h.writeYaml(yamlOf({ "daily-backup": { ...backup, schedule: "0 3 * * *" }, "hourly-health": { ...health, name: "Edited by hand" }, "weekly-report": report }));
      const handEdit = await h.engine.run({ trigger: "watch" });
      expect(handEdit.changedTaskIds).toEqual(["hourly-health"]);
      expect(handEdit.counts).toMatchObject({ total: 3, inSync: 1, conflicts: 1, toDb: { create: 0, update: 1, delete: 0 } });
      expect((await h.dbTasks()).get("hourly-health")?.name).toBe("Edited by hand");
      expect(await fullRunCounts()).toMatchObject({ inSync: 2, conflicts: 1, toDb: { create: 0, update: 0, delete: 0 } });
    });

    it("stays settled through an API write, and still finds a hand edit and a deletion made after it", async () => {
      await h.writeYaml(yamlOf({ "daily-backup": backup, "hourly-health": health, "weekly-report": report }));
      await h.engine.run({ trigger: "manual" });
      await h.engine.writeTask({ kind: "patch", id: "weekly-report", patch: (task) => ({ ...task, name: "Edited in the API" }) });
      const text = await h.readYaml();
      await h.writeYaml(text.replace('name: "Health check"', "name: Edited by hand").replace(/  daily-backup:\n(    .*\n)+/, ""));
      const run = await h.engine.run({ trigger: "watch" });
      expect(run.changedTaskIds.sort()).toEqual(["daily-backup", "hourly-health"]);
      const db = await h.dbTasks();
      expect([...db.keys()].sort()).toEqual(["hourly-health", "weekly-report"]);
      expect(db.get("hourly-health")?.name).toBe("Edited by hand");
      expect(db.get("weekly-report")?.name).toBe("Edited in the API");
      await expectAllEqual(h);
      expect(await fullRunCounts()).toMatchObject({ total: 2, inSync: 2, conflicts: 0 });
    });
  });
});

describe.each(DB_KINDS)("the change generation on %s", (kind) => {
  const suite = useSuiteDatabase(kind);
  let h: Harness;
  beforeAll(() => suite.open());
  afterAll(() => suite.drop());
  beforeEach(async () => {
    h = await createHarness(suite.db);
  });
  afterEach(async () => {
    await h.close();
  });

  it("moves the DB's generation with every statement on tasks, sync_base and conflicts, TRUNCATE included", async () => {
    const generation = () => createSqlSyncStorage(h.db).transaction((tx) => tx.loadGeneration());
    const statements = [
      `INSERT INTO tasks (id, name, schedule, command) VALUES ('g', 'G', '* * * * *', 'x')`,
      `UPDATE tasks SET name = 'H' WHERE id = 'g'`,
      `INSERT INTO sync_base (task_id, data) VALUES ('g', '{}')`,
      `DELETE FROM sync_base`,
      `INSERT INTO conflicts (id, task_id, kind, fields, status) VALUES (gen_random_uuid(), 'g', 'both_modified', '{}', 'open')`,
      `UPDATE conflicts SET status = 'resolved'`,
      `TRUNCATE conflicts`,
      `DELETE FROM tasks`,
    ];
    for (const statement of statements) {
      const before = await generation();
      await sql(h, statement);
      expect(BigInt(await generation()), statement).toBeGreaterThan(BigInt(before));
    }
    const before = await generation();
    await sql(h, `INSERT INTO sync_runs (id, trigger, direction, status, counts, conflicts, started_at) VALUES (gen_random_uuid(), 'cli', 'bidirectional', 'success', '{}', 0, now())`);
    expect(await generation()).toBe(before);
  });
});
