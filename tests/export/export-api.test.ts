import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppProcess, TEST_TOKEN, type AppProcess } from "../_support/app-process";
import { backup, health, report, yamlOf } from "../_support/engine-harness";
import { runCli } from "../cli/_cli";
import { nextRuns, readCrontab } from "./_crontab";

/** GET /api/export and `schedule-sync export` against a running server: the enabled tasks, read back task by task. */
describe("export for schedulers (a running server)", { timeout: 120_000 }, () => {
  let app: AppProcess;
  const tasks = {
    "daily-backup": { ...backup, timezone: "Europe/Berlin" },
    "hourly-health": health,
    "weekly-report": report,
    "paused-job": { name: "Paused", schedule: "0 3 * * *", command: "paused.sh", enabled: false },
  };

  beforeAll(async () => {
    app = await startAppProcess({ db: "pglite", yaml: yamlOf(tasks) });
  }, 120_000);
  afterAll(async () => {
    await app?.dispose();
  });

  it("answers a crontab of the enabled tasks that cron reads back as the same schedules, zones and commands", async () => {
    const res = await app.api("/api/export?format=crontab");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    const entries = readCrontab(await res.text());
    expect(entries.map((e) => e.id).sort()).toEqual(["daily-backup", "hourly-health", "weekly-report"]);
    const from = new Date("2026-10-20T00:00:00Z");
    for (const entry of entries) {
      const task = tasks[entry.id as keyof typeof tasks] as { schedule: string; command: string; timezone?: string };
      expect(entry.command).toBe(task.command);
      expect(entry.timezone).toBe(task.timezone ?? "UTC");
      expect(nextRuns(entry.schedule, entry.timezone, from)).toEqual(nextRuns(task.schedule, task.timezone ?? "UTC", from));
    }
  });

  it("follows an edit: the export is the database's current state", async () => {
    expect((await app.api("/api/tasks/hourly-health", { method: "PATCH", json: { schedule: "5 * * * *", timezone: "Asia/Tokyo" } })).status).toBe(200);
    const json = (await (await app.api("/api/export?format=json")).json()) as { version: number; tasks: { id: string; schedule: string; timezone: string }[] };
    expect(json.version).toBe(1);
    expect(json.tasks.map((t) => t.id)).toEqual(["daily-backup", "hourly-health", "weekly-report"]);
    expect(json.tasks[1]).toMatchObject({ schedule: "5 * * * *", timezone: "Asia/Tokyo" });
  });

  it("needs credentials and a known format", async () => {
    expect((await fetch(`${app.url}/api/export?format=crontab`)).status).toBe(401);
    expect((await app.api("/api/export?format=xml")).status).toBe(400);
  });

  it("`schedule-sync export` prints the same through the server", async () => {
    const api = await (await app.api("/api/export?format=crontab")).text();
    const run = await runCli(["export", "--format", "crontab", "--url", app.url], { env: { ADMIN_TOKEN: TEST_TOKEN }, cwd: app.dir });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const withoutTime = (text: string) => text.replace(/generated \S+\./, "generated <time>.");
    expect(withoutTime(run.stdout)).toBe(withoutTime(api));
    const json = await runCli(["export", "-f", "json", "--url", app.url], { env: { ADMIN_TOKEN: TEST_TOKEN }, cwd: app.dir });
    expect(JSON.parse(json.stdout).tasks).toHaveLength(3);
    const bad = await runCli(["export", "--format", "ical", "--url", app.url], { env: { ADMIN_TOKEN: TEST_TOKEN }, cwd: app.dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--format must be crontab or json");
  });
});
