import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppProcess, TEST_TOKEN, type AppProcess } from "../_support/app-process";
import { backup, health, yamlOf } from "../_support/engine-harness";
import { closedPort, runCli } from "./_cli";

/**
 * The CLI with PGlite: the server owns the database files, so `sync`, `diff` and `status`
 * go through its HTTP API. The watcher is off so only the CLI triggers syncs here.
 */
describe("schedule-sync against a running server (PGlite, HTTP)", () => {
  let app: AppProcess;
  const cli = (...argv: string[]) => runCli([...argv, "--url", app.url], { env: { ADMIN_TOKEN: TEST_TOKEN }, cwd: app.dir });
  const writeYaml = (tasks: Parameters<typeof yamlOf>[0]) => fs.writeFile(app.yamlPath, yamlOf(tasks));
  const dbTask = async (id: string) => (await (await app.api(`/api/tasks/${id}`)).json()) as { schedule: string; task?: { schedule: string } };

  beforeAll(async () => {
    app = await startAppProcess({ db: "pglite", yaml: yamlOf({ "daily-backup": backup, "hourly-health": health }), env: { SYNC_WATCH: "off" } });
  });
  afterAll(async () => {
    await app?.dispose();
  });

  it("reports no drift right after the server's start-up sync", async () => {
    const run = await cli("diff");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`No drift: the YAML file and the database agree (2 tasks; server ${app.url}).\n`);
  });

  it("lists a YAML edit in diff (exit 1), applies it with sync (exit 0), then shows no drift", async () => {
    await writeYaml({ "daily-backup": { ...backup, schedule: "30 2 * * *" }, "hourly-health": health, "weekly-report": { name: "Report", schedule: "0 9 * * 1", command: "report.sh" } });
    const diff = await cli("diff");
    expect(diff.code).toBe(1);
    expect(diff.stdout).toMatch(/~ daily-backup\s+database would change schedule \(edited in YAML\)/);
    expect(diff.stdout).toContain('schedule: "0 2 * * *" → "30 2 * * *"');
    expect(diff.stdout).toMatch(/\+ weekly-report\s+database would gain it \(created in YAML\)/);

    const sync = await cli("sync");
    expect(sync.code).toBe(0);
    expect(sync.stdout).toContain(`Synced the YAML file and the database (bidirectional; server ${app.url}).`);
    expect(sync.stdout).toContain("database:  1 created, 1 updated, 0 deleted");
    expect(sync.stdout).toContain("changed: daily-backup, weekly-report");
    expect(await dbTask("daily-backup")).toMatchObject({ schedule: "30 2 * * *" });
    expect((await cli("diff")).code).toBe(0);
    expect((await cli("sync")).stdout).toMatch(/^Already in sync: 3 tasks agree/);
  });

  it("prints the run as JSON with --json", async () => {
    const run = await cli("sync", "--json");
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: "success", direction: "bidirectional", conflicts: 0, changedTaskIds: [], openConflicts: [] });
  });

  it("exits 1 while a conflict is open, and 0 once one side wins with --force", async () => {
    await writeYaml({ "daily-backup": { ...backup, schedule: "0 3 * * *" }, "hourly-health": health, "weekly-report": { name: "Report", schedule: "0 9 * * 1", command: "report.sh" } });
    // An API write of the same field while the YAML holds an unsynced edit opens a conflict (docs/ARCHITECTURE.md, "Data flows").
    const patched = await app.api("/api/tasks/daily-backup", { method: "PATCH", json: { schedule: "0 4 * * *" } });
    // 202: the API's value is in the database only; the file keeps the hand edit until a person decides.
    expect(patched.status).toBe(202);

    const diff = await cli("diff");
    expect(diff.code).toBe(1);
    expect(diff.stdout).toMatch(/! daily-backup\s+conflict: both sides changed the same field differently/);
    expect(diff.stdout).toContain('schedule: YAML "0 3 * * *" · database "0 4 * * *"');

    const sync = await cli("sync");
    expect(sync.code).toBe(1);
    expect(sync.stdout).toContain("A conflict remains open");
    expect(sync.stdout).toMatch(/! daily-backup\s+both sides changed the same field differently: schedule/);
    expect((await cli("status")).code).toBe(1);

    const forced = await cli("sync", "--direction", "yaml_to_db", "--force");
    expect(forced.code).toBe(0);
    expect(await dbTask("daily-backup")).toMatchObject({ schedule: "0 3 * * *" });
    expect((await cli("diff")).code).toBe(0);
  });

  it("refuses an invalid YAML file with exit 2 and the problem's line and column", async () => {
    const good = await fs.readFile(app.yamlPath, "utf8");
    await writeYaml({ "daily-backup": { ...backup, schedule: "0 3 * *" }, "hourly-health": health });
    for (const command of ["sync", "diff"]) {
      const run = await cli(command);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^config\/schedule_config\.yml:6:15: task "daily-backup": schedule is not a valid cron expression/);
      expect(run.stderr).toContain("schedule file is invalid, so nothing was synced");
    }
    const status = await cli("status");
    expect(status.code).toBe(1);
    expect(status.stdout).toContain("YAML file:      config/schedule_config.yml: INVALID");
    await fs.writeFile(app.yamlPath, good);
  });

  it("prints the server's status", async () => {
    expect((await cli("sync")).code).toBe(0);
    const run = await cli("status");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Sync status (server ${app.url})`);
    expect(run.stdout).toContain("state:          idle");
    expect(run.stdout).toContain("database:       pglite");
    expect(run.stdout).toContain("open conflicts: 0");
    expect(run.stdout).toContain("next cron run:  off");
    expect(run.stdout).toMatch(/last run: +\S+ · cli · bidirectional · success/);
  });

  it("reads the token from DATA_DIR/admin-token when ADMIN_TOKEN is not set", async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "schedule-sync-cli-token-"));
    await fs.writeFile(path.join(dataDir, "admin-token"), `${TEST_TOKEN}\n`);
    const run = await runCli(["diff", "--url", app.url], { env: { DATA_DIR: dataDir }, cwd: app.dir });
    expect(run.code).toBe(0);
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it("reports a refused or missing token with exit 2, never printing a token", async () => {
    const wrong = "wrong-token-0123456789abcdef-xyz";
    const refused = await runCli(["sync", "--url", app.url], { env: { ADMIN_TOKEN: wrong }, cwd: app.dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("refused the admin token from ADMIN_TOKEN (401)");
    expect(refused.stderr + refused.stdout).not.toContain(wrong);

    const missing = await runCli(["sync", "--url", app.url], { env: { DATA_DIR: path.join(app.dir, "no-such-data") }, cwd: app.dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("no admin token");
    expect(missing.stderr + missing.stdout).not.toContain(TEST_TOKEN);
  });

  it("finds the server through SCHEDULE_SYNC_URL", async () => {
    const run = await runCli(["diff"], { env: { ADMIN_TOKEN: TEST_TOKEN, SCHEDULE_SYNC_URL: `${app.url}/` }, cwd: app.dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`server ${app.url})`);
  });
});

describe("schedule-sync with no server to talk to (PGlite)", () => {
  it("says which URL it tried and what to start, with exit 2", async () => {
    const port = await closedPort();
    const run = await runCli(["sync"], { env: { PORT: String(port), ADMIN_TOKEN: TEST_TOKEN } });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(`no schedule-sync server is reachable at http://localhost:${port} (URL from PORT; connection refused)`);
    expect(run.stderr).toContain("npm start");
    expect(run.stderr).toContain("DATABASE_URL");
  });

  it("prefers the unreachable server over the missing token in its message", async () => {
    const port = await closedPort();
    const run = await runCli(["diff", "--url", `http://127.0.0.1:${port}`], { env: { DATA_DIR: os.tmpdir() + "/schedule-sync-no-data" } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`no schedule-sync server is reachable at http://127.0.0.1:${port} (URL from --url`);
  });

  it("rejects a URL that is not http(s)", async () => {
    const run = await runCli(["status", "--url", "ftp://example.com"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--url must be an http:// or https:// URL");
  });
});
