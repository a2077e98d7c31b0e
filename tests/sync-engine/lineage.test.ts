import { execFileSync } from "node:child_process";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { LineageNote } from "@/lib/sync/engine/file-lineage";
import { normalizeTask, type Task } from "@/lib/tasks/task-schema";
import { applySchedulePatch, parseSchedule } from "@/lib/yaml";
import { DB_KINDS } from "../_support/databases";
import { backup, ENGINE_KINDS, health, report, useEngineSuite, yamlOf, type EngineHarness, type Harness } from "../_support/engine-harness";

/**
 * Issue #17 in the engine: a file saved from an older version than the last one the server wrote
 * never reverts what it did not change. On memory, PGlite and PostgreSQL.
 */

const TASKS = { "daily-backup": backup, "hourly-health": health, "weekly-report": report };

/** The file's text with one task replaced (as an editor or a script would save it). */
function edited(text: string, id: string, fields: Partial<Task>): string {
  const parsed = parseSchedule(text);
  if (!parsed.ok) throw new Error("invalid fixture");
  const task = parsed.tasks.get(id)!;
  return applySchedulePatch({ text, parsed }, { upsert: [normalizeTask({ ...task, ...fields })] }).text;
}

const lineageOf = (runs: Awaited<ReturnType<EngineHarness["runs"]>>) => runs.map((r) => r.counts.lineage as LineageNote | undefined).find(Boolean) ?? null;

describe.each(ENGINE_KINDS)("file lineage on %s", (kind) => {
  const suite = useEngineSuite(kind);
  let h: EngineHarness;
  let stale: string;
  beforeAll(() => suite.open());
  afterAll(() => suite.drop());
  beforeEach(async () => {
    h = await suite.harness();
    await h.writeYaml(yamlOf(TASKS));
    await h.engine.run({ trigger: "startup" });
    // An editor opens the file, then the dashboard changes a task (the server writes the file).
    stale = await h.readYaml();
    await h.engine.writeTask({ kind: "patch", id: "daily-backup", patch: (t) => ({ ...t, command: "/opt/backup.sh --v2" }) });
  });
  afterEach(async () => {
    await h.close();
  });

  it("a stale buffer editing another task keeps the dashboard's change, and says so", async () => {
    await h.writeYaml(edited(stale, "hourly-health", { schedule: "*/30 * * * *" }));
    const result = await h.engine.run({ trigger: "watch" });
    const db = await h.dbTasks();
    const yaml = await h.yamlTasks();
    expect(db.get("daily-backup")?.command).toBe("/opt/backup.sh --v2");
    expect(yaml.get("daily-backup")?.command).toBe("/opt/backup.sh --v2");
    expect(db.get("hourly-health")?.schedule).toBe("*/30 * * * *");
    expect(yaml.get("hourly-health")?.schedule).toBe("*/30 * * * *");
    expect(await h.openConflicts()).toEqual([]);
    expect(result.lineage).toMatchObject({ behind: 1, keptNewer: ["daily-backup"], keptNewerCount: 1, ancestorSource: "yaml" });
    expect(lineageOf(await h.runs())).toEqual(result.lineage);
    // And the next run is a no-op.
    const again = await h.engine.run({ trigger: "manual" });
    expect(again.changedTaskIds).toEqual([]);
  });

  it("a stale buffer editing another field of the same task merges", async () => {
    await h.writeYaml(edited(stale, "daily-backup", { schedule: "0 3 * * *" }));
    await h.engine.run({ trigger: "watch" });
    const task = (await h.dbTasks()).get("daily-backup");
    expect(task).toMatchObject({ command: "/opt/backup.sh --v2", schedule: "0 3 * * *" });
    expect((await h.yamlTasks()).get("daily-backup")).toEqual(task);
    expect(await h.openConflicts()).toEqual([]);
  });

  it("a stale buffer changing the same field is a conflict whose base is the version it started from", async () => {
    // A file that differs from the latest only in that one field, to a third value, reads exactly
    // like a fresh hand edit of it; here the dashboard changed another task too, which the file
    // still holds as it was, so it is known to be old.
    await h.engine.writeTask({ kind: "patch", id: "hourly-health", patch: (t) => ({ ...t, name: "Health (dashboard)" }) });
    await h.writeYaml(edited(stale, "daily-backup", { command: "/opt/backup.sh --v3" }));
    await h.engine.run({ trigger: "watch" });
    const [conflict] = await h.openConflicts();
    expect(conflict).toMatchObject({ taskId: "daily-backup", kind: "both_modified", fields: ["command"] });
    expect(conflict.base?.command).toBe("/opt/backup.sh");
    expect(conflict.yaml?.command).toBe("/opt/backup.sh --v3");
    expect(conflict.db?.command).toBe("/opt/backup.sh --v2");
  });

  it("a conflict from a stale buffer names the revision its base came from, and keeps it when refreshed", async () => {
    await h.engine.writeTask({ kind: "patch", id: "hourly-health", patch: (t) => ({ ...t, name: "Health (dashboard)" }) });
    await h.writeYaml(edited(stale, "daily-backup", { command: "/opt/backup.sh --v3" }));
    await h.engine.run({ trigger: "watch" });
    // The stale copy is the file the start-up sync accepted: the oldest revision, two writes old.
    const started = (await h.storage.reads.listRevisions({ limit: 10 })).at(-1)!;
    const [conflict] = await h.openConflicts();
    expect(conflict.baseRevision).toEqual({ id: started.id, behind: 2 });
    expect(conflict.base).toEqual((await h.storage.reads.loadRevisionTasks(started.id, ["daily-backup"])).get("daily-backup"));
    expect(conflict.base).not.toEqual((await h.baseTasks()).get("daily-backup"));

    // A full run by an engine with nothing settled plans against the agreed base; the conflict
    // still shows the version the file started from.
    await h.otherEngine().run({ trigger: "manual" });
    const [refreshed] = await h.openConflicts();
    expect(refreshed).toMatchObject({ id: conflict.id, baseRevision: conflict.baseRevision, base: conflict.base });
  });

  it("a conflict on the latest file names no revision: its base is the agreed version", async () => {
    await h.writeYaml(edited(await h.readYaml(), "daily-backup", { command: "/opt/backup.sh --file" }));
    const write = await h.engine.writeTask({ kind: "patch", id: "daily-backup", patch: (t) => ({ ...t, command: "/opt/backup.sh --api" }) });
    expect(write.conflict).toMatchObject({ taskId: "daily-backup", baseRevision: null, base: { command: "/opt/backup.sh --v2" } });
  });

  it("a task created in the dashboard is not deleted by a file saved from before it", async () => {
    await h.engine.writeTask({ kind: "create", task: normalizeTask({ id: "new-task", name: "New", schedule: "0 1 * * *", command: "new.sh" }) });
    await h.writeYaml(edited(stale, "weekly-report", { name: "Weekly report (edited)" }));
    const result = await h.engine.run({ trigger: "watch" });
    expect((await h.dbTasks()).has("new-task")).toBe(true);
    expect((await h.yamlTasks()).has("new-task")).toBe(true);
    expect((await h.dbTasks()).get("weekly-report")?.name).toBe("Weekly report (edited)");
    expect(result.lineage).toMatchObject({ behind: 2, keptNewer: ["daily-backup", "new-task"] });
  });

  it("a hand edit of the current file is an edit, not an old version", async () => {
    const current = await h.readYaml();
    await h.writeYaml(edited(current, "daily-backup", { command: "/opt/backup.sh" }));
    // The old value again, typed into the latest file: with nothing else in the file older, it
    // reads exactly like that older version, and lineage keeps the newer value (visibly).
    const result = await h.engine.run({ trigger: "watch" });
    expect(result.lineage?.keptNewer).toEqual(["daily-backup"]);
    // A new value is always an edit.
    await h.writeYaml(edited(await h.readYaml(), "daily-backup", { command: "/opt/backup.sh --v4" }));
    const next = await h.engine.run({ trigger: "watch" });
    expect(next.lineage).toBeNull();
    expect((await h.dbTasks()).get("daily-backup")?.command).toBe("/opt/backup.sh --v4");
  });

  it("restores an old revision on purpose: a dry run shows the plan, then one run writes both sides", async () => {
    // The first revision: the file as the start-up sync accepted it.
    const oldest = (await h.storage.reads.listRevisions({ limit: 10 })).at(-1)!;
    await h.engine.writeTask({ kind: "delete", id: "weekly-report" });
    const runsBefore = (await h.runs()).length;

    const plan = await h.engine.restoreRevision(oldest.id, true);
    expect(plan.runId).toBeNull();
    expect(plan.changes.map((c) => c.taskId)).toEqual(["daily-backup", "weekly-report"]);
    expect(plan.changes[0]).toMatchObject({ db: { command: "/opt/backup.sh --v2" }, after: { command: "/opt/backup.sh" } });
    expect(plan.changes[1]).toMatchObject({ db: null, yaml: null, after: { id: "weekly-report" } });
    expect((await h.dbTasks()).get("daily-backup")?.command).toBe("/opt/backup.sh --v2");
    expect((await h.runs()).length).toBe(runsBefore);

    const done = await h.engine.restoreRevision(oldest.id);
    expect(done.runId).not.toBeNull();
    const [db, yaml] = [await h.dbTasks(), await h.yamlTasks()];
    expect(db.get("daily-backup")?.command).toBe("/opt/backup.sh");
    expect(yaml.get("daily-backup")?.command).toBe("/opt/backup.sh");
    expect(db.has("weekly-report") && yaml.has("weekly-report")).toBe(true);
    const run = (await h.runs()).find((r) => r.id === done.runId)!;
    expect(run.trigger).toBe("restore");
    expect(new Set(run.changes.map((c) => c.taskId))).toEqual(new Set(["daily-backup", "weekly-report"]));
    expect((await h.storage.reads.latestRevision())?.source).toBe("restore");
    // Both sides agree and the next run has nothing to do.
    expect((await h.engine.run({ trigger: "manual" })).changedTaskIds).toEqual([]);
    await expect(h.engine.restoreRevision("00000000-0000-4000-8000-000000000000")).rejects.toMatchObject({ code: "not_found" });
  });

  it("records a revision for every version written or accepted", async () => {
    await h.writeYaml(edited(stale, "hourly-health", { schedule: "*/30 * * * *" }));
    await h.engine.run({ trigger: "watch" });
    const revisions = await h.storage.reads.listRevisions({ limit: 10 });
    // startup (accepted), the API write, the stale file (accepted), the write-back.
    expect(revisions.map((r) => r.source)).toEqual(["db", "yaml", "db", "yaml"]);
    expect(revisions[1].ancestorId).toBe(revisions[3].id);
    expect(revisions[0]).toMatchObject({ changed: 1, added: 0, removed: 0 });
    const head = await h.storage.reads.loadRevisionTasks(null);
    expect(new Map([...head].sort())).toEqual(new Map([...(await h.yamlTasks())].sort()));
  });
});

describe.each(ENGINE_KINDS)("stale writers beside API writers on %s", (kind) => {
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
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it("3 unlocked writers rewriting the file from stale reads while 60 API writes edit other tasks: nothing is lost", async () => {
    const body = (i: number) => ({ name: `Task ${i}`, schedule: "0 * * * *", command: `run ${i}` });
    const initial: Record<string, Record<string, unknown>> = {};
    for (let i = 0; i < 60; i++) initial[`api-${String(i).padStart(2, "0")}`] = body(i);
    for (let w = 0; w < 3; w++) initial[`hand-${w}`] = body(100 + w);
    await h.writeYaml(yamlOf(initial));
    await h.engine.run({ trigger: "startup" });

    const acknowledged = new Map<string, string>();
    const handLast = new Map<string, string>();
    // Each writer: read the file, hold the copy while the API writes land, edit its own task in
    // it, save it whole (no file lock), tell the engine; five times. The writers take turns among
    // themselves (a person's save that another person's editor overwrote before anyone read it is
    // gone before any program sees it), so every save is stale only against the API writes.
    let turn: Promise<void> = Promise.resolve();
    const writer = async (w: number) => {
      for (let round = 0; round < 5; round++) {
        const mine = turn.then(async () => {
          const copy = await h.readYaml();
          await sleep(20 + ((w * 37 + round * 53) % 60));
          const command = `hand ${w} round ${round}`;
          await h.writeYaml(edited(copy, `hand-${w}`, { command }));
          handLast.set(`hand-${w}`, command);
          h.engine.markDirty("watch");
        });
        turn = mine;
        await mine;
      }
    };
    const apiWrites = async () => {
      await Promise.all(
        Array.from({ length: 60 }, async (_, i) => {
          await sleep((i * 7) % 300);
          const id = `api-${String(i).padStart(2, "0")}`;
          const result = await h.engine.writeTask({ kind: "patch", id, patch: (t) => ({ ...t, command: `api ${i}` }) });
          acknowledged.set(id, result.task!.command);
        }),
      );
    };
    await Promise.all([writer(0), writer(1), writer(2), apiWrites()]);
    await h.engine.converge();
    await h.engine.run({ trigger: "manual" });

    const [db, yaml, open] = [await h.dbTasks(), await h.yamlTasks(), new Map((await h.openConflicts()).map((c) => [c.taskId, c]))];
    const lost: string[] = [];
    const check = (id: string, command: string) => {
      const conflict = open.get(id);
      const held = conflict ? [conflict.yaml?.command, conflict.db?.command, yaml.get(id)?.command, db.get(id)?.command] : [yaml.get(id)?.command];
      if (!held.includes(command) || (!conflict && yaml.get(id)?.command !== db.get(id)?.command)) lost.push(`${id}: wanted ${command}, file ${yaml.get(id)?.command}, db ${db.get(id)?.command}`);
    };
    for (const [id, command] of acknowledged) check(id, command);
    for (const [id, command] of handLast) check(id, command);
    expect(acknowledged.size).toBe(60);
    expect(lost).toEqual([]);
  }, 120_000);
});

describe.each(DB_KINDS)("file lineage with git on %s", (kind) => {
  const suite = useEngineSuite(kind);
  let h: Harness;
  beforeAll(() => suite.open());
  afterAll(() => suite.drop());
  beforeEach(async () => {
    h = (await suite.harness()) as Harness;
  });
  afterEach(async () => {
    await h.close();
  });
  const git = (...args: string[]) => execFileSync("git", args, { cwd: h.dir, encoding: "utf8", env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" } });

  it("`git checkout -- file` after a dashboard edit keeps the dashboard's edit", async () => {
    git("init", "-q");
    await h.writeYaml(yamlOf(TASKS));
    await h.engine.run({ trigger: "startup" });
    git("add", "schedule_config.yml");
    git("commit", "-qm", "schedule");
    await h.engine.writeTask({ kind: "patch", id: "weekly-report", patch: (t) => ({ ...t, enabled: false }) });
    expect(git("status", "--porcelain")).toContain("schedule_config.yml");
    git("checkout", "--", "schedule_config.yml");
    expect((await h.yamlTasks()).get("weekly-report")?.enabled).toBe(true);
    const result = await h.engine.run({ trigger: "watch" });
    expect(result.lineage).toMatchObject({ keptNewer: ["weekly-report"] });
    expect((await h.dbTasks()).get("weekly-report")?.enabled).toBe(false);
    expect((await h.yamlTasks()).get("weekly-report")?.enabled).toBe(false);
  });

  it("two git branches editing different tasks merge with no textual conflict", async () => {
    git("init", "-q", "-b", "main");
    await h.writeYaml(yamlOf(TASKS));
    await h.engine.run({ trigger: "startup" });
    // The server wrote the file once (a dashboard edit): nothing of it may make branches clash.
    await h.engine.writeTask({ kind: "patch", id: "hourly-health", patch: (t) => ({ ...t, name: "Health" }) });
    git("add", "schedule_config.yml");
    git("commit", "-qm", "base");
    git("checkout", "-qb", "one");
    await h.engine.writeTask({ kind: "patch", id: "daily-backup", patch: (t) => ({ ...t, command: "/opt/backup.sh --one" }) });
    git("commit", "-qam", "one");
    git("checkout", "-q", "main");
    await h.engine.run({ trigger: "watch" });
    await h.engine.writeTask({ kind: "patch", id: "weekly-report", patch: (t) => ({ ...t, command: "report.sh --two" }) });
    git("commit", "-qam", "two");
    git("merge", "-q", "--no-edit", "one");
    const merged = await h.yamlTasks();
    expect(merged.get("daily-backup")?.command).toBe("/opt/backup.sh --one");
    expect(merged.get("weekly-report")?.command).toBe("report.sh --two");
    expect(await h.readYaml()).not.toContain("metadata:");
  });
});
