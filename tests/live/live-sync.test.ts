import fs from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSchedule } from "@/lib/yaml";
import { startAppProcess, type AppProcess } from "../_support/app-process";
import { DB_KINDS } from "../_support/databases";
import { backup, health, yamlOf } from "../_support/engine-harness";
import { connectRecordingSocket, type RecordingSocket } from "../_support/socket-client";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(DB_KINDS)("live sync with a real server on %s", (kind) => {
  let app: AppProcess;
  let socket: RecordingSocket;
  beforeAll(async () => {
    app = await startAppProcess({ db: kind, yaml: yamlOf({ "daily-backup": backup, "hourly-health": health }) });
    socket = await connectRecordingSocket(app.url);
  });
  afterAll(async () => {
    socket?.close();
    await app?.dispose();
  });

  it("brings a hand edit of the file to the DB and to a connected socket within a second", async () => {
    const since = Date.now();
    await fs.writeFile(app.yamlPath, yamlOf({ "daily-backup": { ...backup, name: "Edited by hand" }, "hourly-health": health }));
    const event = await socket.next("schedule_config_updated", (p) => p.changedTaskIds.includes("daily-backup"), 1_000, since);
    expect(event.source).toBe("yaml");
    const task = await (await app.api("/api/tasks/daily-backup")).json();
    expect(task.name).toBe("Edited by hand");
  });

  it("follows editors that save by renaming a new file over the old one", async () => {
    const since = Date.now();
    const tmp = `${app.yamlPath}.swp`;
    await fs.writeFile(tmp, yamlOf({ "daily-backup": { ...backup, name: "Saved by rename" }, "hourly-health": health }));
    await fs.rename(tmp, app.yamlPath);
    await socket.next("schedule_config_updated", (p) => p.changedTaskIds.includes("daily-backup"), 2_000, since);
    expect((await (await app.api("/api/tasks/daily-backup")).json()).name).toBe("Saved by rename");
  });

  it("writes an API edit to the file without a second sync from the watcher", async () => {
    const since = Date.now();
    const res = await app.api("/api/tasks/hourly-health", { method: "PATCH", json: { enabled: false } });
    expect(res.status).toBe(200);
    await socket.next("schedule_config_updated", (p) => p.source === "api", 2_000, since);
    const parsed = parseSchedule(await fs.readFile(app.yamlPath, "utf8"));
    expect(parsed.ok && parsed.tasks.get("hourly-health")?.enabled).toBe(false);
    await sleep(600);
    const runs = (await (await app.api("/api/sync/runs?limit=20")).json()).items as { trigger: string; startedAt: string }[];
    const afterEdit = runs.filter((r) => Date.parse(r.startedAt) >= since - 5);
    expect(afterEdit.map((r) => r.trigger)).toEqual(["api"]);
  });

  it("shows an invalid file in the status and health, and recovers when it is fixed", async () => {
    const since = Date.now();
    await fs.writeFile(app.yamlPath, "version: 1\ntasks:\n  daily-backup: {name: x\n");
    await socket.next("sync_status_changed", (p) => p.status.state === "error", 5_000, since);
    // The error text needs credentials; a stranger learns only that the file is invalid (issue #14).
    const reported = await (await app.api("/api/health")).json();
    expect(reported.yaml.valid).toBe(false);
    expect(reported.yaml.error).toMatch(/line \d+/);
    expect(await (await fetch(`${app.url}/api/health`)).json()).toEqual({ status: "ok", db: kind, yaml: { valid: false } });
    const status = await (await app.api("/api/sync/status")).json();
    expect(status.yaml).toMatchObject({ valid: false });
    expect(status.yaml.error.line).toBeGreaterThan(0);
    expect((await (await app.api("/api/tasks")).json()).total).toBe(2);
    const fixed = Date.now();
    await fs.writeFile(app.yamlPath, yamlOf({ "daily-backup": { ...backup, name: "Saved by rename" }, "hourly-health": { ...health, enabled: false } }));
    await socket.next("sync_status_changed", (p) => p.status.state === "idle", 5_000, fixed);
  });
});

describe("conflict events", () => {
  // The watcher is off so the file edit stays unsynced until the API write of the same
  // field finds it: that write is what opens the conflict, deterministically.
  let app: AppProcess;
  let socket: RecordingSocket;
  beforeAll(async () => {
    app = await startAppProcess({ db: "pglite", yaml: yamlOf({ "daily-backup": backup }), env: { SYNC_WATCH: "off" } });
    socket = await connectRecordingSocket(app.url);
  });
  afterAll(async () => {
    socket?.close();
    await app?.dispose();
  });

  it("emits sync_conflict_detected for a conflict and sync_conflict_resolved when it is resolved", async () => {
    const since = Date.now();
    await fs.writeFile(app.yamlPath, yamlOf({ "daily-backup": { ...backup, schedule: "0 3 * * *" } }));
    const res = await app.api("/api/tasks/daily-backup", { method: "PATCH", json: { schedule: "0 4 * * *" } });
    expect(res.status).toBe(202);
    expect((await res.json()).conflict).toMatchObject({ kind: "both_modified", fields: ["schedule"] });
    const { conflict } = await socket.next("sync_conflict_detected", (p) => p.conflict.taskId === "daily-backup", 3_000, since);
    const detail = await (await app.api(`/api/sync/conflicts/${conflict.id}`)).json();
    expect(detail.text.yaml).toContain('schedule: "0 3 * * *"');
    expect(detail.text.db).toContain('schedule: "0 4 * * *"');
    const resolved = await app.api(`/api/sync/conflicts/${conflict.id}/resolve`, { method: "POST", json: { resolution: "keep_yaml" } });
    expect(resolved.status).toBe(200);
    const event = await socket.next("sync_conflict_resolved", (p) => p.conflictId === conflict.id, 3_000, since);
    expect(event.resolution).toBe("keep_yaml");
    expect((await (await app.api("/api/tasks/daily-backup")).json()).schedule).toBe("0 3 * * *");
  });
});

describe("cron safety net", () => {
  it("runs on its schedule, never overlapping, and shows its next run", async () => {
    const app = await startAppProcess({ db: "pglite", yaml: yamlOf({ "daily-backup": backup }), env: { SYNC_CRON: "* * * * * *", SYNC_WATCH: "off" } });
    try {
      const status = await (await app.api("/api/sync/status")).json();
      expect(Date.parse(status.nextCronRun)).toBeGreaterThan(Date.now() - 1000);
      await fs.writeFile(app.yamlPath, yamlOf({ "daily-backup": { ...backup, name: "Picked up by cron" } }));
      type Run = { trigger: string; startedAt: string; durationMs: number };
      let cronRuns: Run[] = [];
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && cronRuns.length < 3) {
        await sleep(250);
        const runs = (await (await app.api("/api/sync/runs?limit=100")).json()).items as Run[];
        cronRuns = runs.filter((r) => r.trigger === "cron").sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
      }
      expect(cronRuns.length).toBeGreaterThanOrEqual(3);
      expect((await (await app.api("/api/tasks/daily-backup")).json()).name).toBe("Picked up by cron");
      for (let i = 1; i < cronRuns.length; i++) {
        const previousEnd = Date.parse(cronRuns[i - 1].startedAt) + cronRuns[i - 1].durationMs;
        expect(Date.parse(cronRuns[i].startedAt)).toBeGreaterThanOrEqual(previousEnd);
      }
    } finally {
      await app.dispose();
    }
  }, 90_000);
});
