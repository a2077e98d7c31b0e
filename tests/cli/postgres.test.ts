import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSchedule } from "@/lib/yaml";
import { createPostgresDatabase } from "../_support/databases";
import { backup, health, yamlOf } from "../_support/engine-harness";
import { closedPort, runBin, runCli } from "./_cli";

/** The CLI on PostgreSQL: it opens the database itself (no server), like one more instance. */
describe("schedule-sync on PostgreSQL (DATABASE_URL)", () => {
  let dir: string;
  let yamlPath: string;
  let env: Record<string, string>;
  let sql: pg.Client;
  let drop: () => Promise<void>;
  const cli = (...argv: string[]) => runCli(argv, { env, cwd: dir });
  const writeYaml = (tasks: Parameters<typeof yamlOf>[0]) => fs.writeFile(yamlPath, yamlOf(tasks));
  const yamlTasks = async () => {
    const parsed = parseSchedule(await fs.readFile(yamlPath, "utf8"));
    if (!parsed.ok) throw new Error(parsed.issues[0].message);
    return parsed.tasks;
  };
  const dbTask = async (id: string) => (await sql.query(`SELECT schedule, enabled FROM tasks WHERE id = $1`, [id])).rows[0];

  beforeAll(async () => {
    const created = await createPostgresDatabase();
    drop = created.drop;
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "schedule-sync-cli-pg-"));
    yamlPath = path.join(dir, "config", "schedule_config.yml");
    await fs.mkdir(path.dirname(yamlPath), { recursive: true });
    env = { DATABASE_URL: created.url, DATA_DIR: "data" };
    sql = new pg.Client({ connectionString: created.url });
    await sql.connect();
  });
  afterAll(async () => {
    await sql?.end();
    await drop?.();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("imports the YAML file into a fresh database (migrating it) and records a run with trigger cli", async () => {
    await writeYaml({ "daily-backup": backup, "hourly-health": health });
    const run = await cli("sync");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("database:  2 created, 0 updated, 0 deleted");
    expect(run.stdout).toContain("changed: daily-backup, hourly-health");
    expect(run.stdout).toContain("database postgresql://postgres@127.0.0.1:5432/schedule_sync_test_");
    const runs = await sql.query(`SELECT trigger, status FROM sync_runs`);
    expect(runs.rows).toEqual([{ trigger: "cli", status: "success" }]);
  });

  it("exports the database's enabled tasks as a crontab without a server (issue #21)", async () => {
    const run = await cli("export");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^# schedule-sync export: 2 enabled tasks, generated /);
    expect(run.stdout).toContain("CRON_TZ=UTC\n# daily-backup: Daily backup\n0 2 * * * /opt/backup.sh\n");
    const json = JSON.parse((await cli("export", "--format", "json")).stdout) as { tasks: { id: string }[] };
    expect(json.tasks.map((t) => t.id)).toEqual(["daily-backup", "hourly-health"]);
  });

  it("reports no drift and a no-op sync once both sides agree", async () => {
    expect(await cli("diff")).toMatchObject({ code: 0, stdout: expect.stringMatching(/^No drift: the YAML file and the database agree \(2 tasks;/) });
    const again = await cli("sync");
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^Already in sync: 2 tasks agree; nothing was written/);
  });

  it("diff lists drift on both sides with the differing fields (exit 1); sync applies it (exit 0)", async () => {
    await writeYaml({ "daily-backup": { ...backup, schedule: "30 2 * * *" }, "hourly-health": health });
    await sql.query(`UPDATE tasks SET enabled = false, version = version + 1 WHERE id = 'hourly-health'`);
    const text = await fs.readFile(yamlPath, "utf8");

    const diff = await cli("diff");
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain("~ daily-backup   database would change schedule (edited in YAML)");
    expect(diff.stdout).toContain('schedule: "0 2 * * *" → "30 2 * * *"');
    expect(diff.stdout).toContain("~ hourly-health  YAML would change enabled (edited in the database)");
    expect(diff.stdout).toContain("enabled: true → false");
    expect(diff.stdout).toContain("A sync would write: YAML 0 created, 1 updated, 0 deleted; database 0 created, 1 updated, 0 deleted");
    expect(await fs.readFile(yamlPath, "utf8")).toBe(text); // a diff writes nothing
    expect(await dbTask("daily-backup")).toMatchObject({ schedule: "0 2 * * *" });

    const json = await cli("diff", "--json");
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).plan.map((d: { id: string; action: string }) => [d.id, d.action])).toEqual([
      ["daily-backup", "write_db"],
      ["hourly-health", "write_yaml"],
    ]);

    const sync = await cli("sync");
    expect(sync.code).toBe(0);
    expect(sync.stdout).toContain("YAML file: 0 created, 1 updated, 0 deleted");
    expect(sync.stdout).toContain("database:  0 created, 1 updated, 0 deleted");
    expect(await dbTask("daily-backup")).toMatchObject({ schedule: "30 2 * * *" });
    expect((await yamlTasks()).get("hourly-health")?.enabled).toBe(false);
    expect((await cli("diff")).code).toBe(0);
  });

  it("shows a conflict in diff and keeps exit 1 from sync until one side wins", async () => {
    await writeYaml({ "daily-backup": { ...backup, schedule: "0 3 * * *" }, "hourly-health": { ...health, enabled: false } });
    await sql.query(`UPDATE tasks SET schedule = '0 4 * * *', version = version + 1 WHERE id = 'daily-backup'`);

    const diff = await cli("diff");
    expect(diff.code).toBe(1);
    expect(diff.stdout).toMatch(/! daily-backup\s+conflict: both sides changed the same field differently/);
    expect(diff.stdout).toContain('schedule: YAML "0 3 * * *" · database "0 4 * * *" (was "30 2 * * *")');

    const sync = await cli("sync");
    expect(sync.code).toBe(1);
    expect(sync.stdout).toContain("A conflict remains open");
    expect(sync.stdout).toMatch(/! daily-backup\s+both sides changed the same field differently: schedule/);
    expect((await sql.query(`SELECT count(*)::int AS n FROM conflicts WHERE status = 'open'`)).rows[0].n).toBe(1);
    expect((await cli("sync")).code).toBe(1);
    expect((await cli("status")).code).toBe(1);

    const forced = await cli("sync", "--direction", "db_to_yaml", "--force");
    expect(forced.code).toBe(0);
    expect((await yamlTasks()).get("daily-backup")?.schedule).toBe("0 4 * * *");
    expect((await cli("diff")).code).toBe(0);
  });

  it("refuses an invalid YAML file with exit 2 and compiler-style positions, changing nothing", async () => {
    const good = await fs.readFile(yamlPath, "utf8");
    await writeYaml({ "daily-backup": { ...backup, schedule: "0 99 * * *" }, "hourly-health": health });
    for (const command of ["sync", "diff"]) {
      const run = await cli(command);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe("");
      expect(run.stderr).toMatch(/^config\/schedule_config\.yml:6:15: task "daily-backup": schedule is not a valid cron expression/);
      expect(run.stderr).toContain("schedule file is invalid, so nothing was synced");
    }
    const json = await cli("sync", "--json");
    expect(JSON.parse(json.stdout).error).toMatchObject({ code: "yaml_invalid", file: "config/schedule_config.yml" });
    expect(await dbTask("daily-backup")).toMatchObject({ schedule: "0 4 * * *" });
    expect(await dbTask("hourly-health")).toMatchObject({ enabled: false }); // the file's enabled: true did not reach the DB
    await fs.writeFile(yamlPath, good);
  });

  it("prints the status from the database and the file; exit 1 while the last run failed", async () => {
    const failed = await cli("status", "--json");
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({ db: "postgresql", state: null, openConflicts: 0, yaml: { valid: true, missing: false } });
    expect(JSON.parse(failed.stdout).lastRun).toMatchObject({ trigger: "cli", status: "error" }); // the refused run above

    expect((await cli("sync")).code).toBe(0);
    const run = await cli("status");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("database:       postgresql");
    expect(run.stdout).toContain("YAML file:      config/schedule_config.yml: valid (sha256:");
    expect(run.stdout).toContain("open conflicts: 0");
    expect(run.stdout).toMatch(/last run: +\S+ · cli · bidirectional · success/);
  });

  it("serializes two CLI processes syncing at the same time", { timeout: 90_000 }, async () => {
    await writeYaml({ "daily-backup": { ...backup, schedule: "0 4 * * *" }, "hourly-health": { ...health, enabled: false }, "new-task": health });
    const [a, b] = await Promise.all([runBin(["sync"], { env, cwd: dir }), runBin(["sync"], { env, cwd: dir })]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const created = [a.stdout, b.stdout].filter((out) => out.includes("database:  1 created"));
    expect(created).toHaveLength(1);
    expect([a.stdout, b.stdout].filter((out) => out.startsWith("Already in sync: 3 tasks agree"))).toHaveLength(1);
  });

  it("lists mass deletions the guard holds, shows them in status, and restores them with held --restore (dry run first)", async () => {
    const many = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`bulk-${i}`, { ...health, name: `Bulk ${i}` }]));
    // From the file as the earlier tests left it: a file that holds older values of its other
    // tasks would read as an old copy (issue #17), whose missing tasks are newer, not deleted.
    const current = Object.fromEntries([...(await yamlTasks())].map(([id, { id: _id, ...body }]) => [id, body]));
    const kept = Object.keys(current).length;
    await writeYaml({ ...current, ...many });
    expect((await cli("sync")).code).toBe(0);
    await writeYaml(current);
    const sync = await cli("sync");
    expect(sync.code).toBe(1); // the held deletions are open conflicts of their own kind
    expect((await sql.query(`SELECT count(*)::int AS n FROM tasks`)).rows[0].n).toBe(kept + 20);

    const status = await cli("status");
    expect(status.code).toBe(1);
    expect(status.stdout).toContain("held deletions: 20 deleted in the file (`schedule-sync held`)");
    const listed = await cli("held");
    expect(listed.code).toBe(1);
    expect(listed.stdout).toContain("deleted in the YAML file, still in the database: 20 tasks");
    expect(listed.stdout).toContain("    bulk-7  (held ");

    const dry = await cli("held", "--restore", "--dry-run");
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^Would restore in the YAML file: 20 tasks \(bulk-0, bulk-1, bulk-10/);
    expect((await yamlTasks()).size).toBe(kept);
    const restored = await cli("held", "--restore");
    expect(restored.stdout).toMatch(/^Did restore in the YAML file: 20 tasks/);
    expect((await yamlTasks()).size).toBe(kept + 20);
    expect((await cli("held")).stdout).toMatch(/^No deletions are held/);
    expect((await cli("held", "--side", "file")).code).toBe(2);
  });

  it("says clearly when the database cannot be reached, without printing its password", async () => {
    const port = await closedPort();
    const run = await runCli(["sync"], { env: { DATABASE_URL: `postgresql://postgres:hunter2secret@127.0.0.1:${port}/nowhere` }, cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`cannot open the PostgreSQL database postgresql://postgres@127.0.0.1:${port}/nowhere`);
    expect(run.stderr).not.toContain("hunter2secret");
  });

  it("talks HTTP instead when --url is given, and says when nothing answers there", async () => {
    const port = await closedPort();
    const run = await cli("diff", "--url", `http://127.0.0.1:${port}`);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`no schedule-sync server is reachable at http://127.0.0.1:${port} (URL from --url; connection refused)`);
  });
});
