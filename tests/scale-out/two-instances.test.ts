import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSchedule } from "@/lib/yaml";
import { startAppProcess, type AppProcess } from "../_support/app-process";
import { createPostgresDatabase } from "../_support/databases";
import { backup, health, yamlOf } from "../_support/engine-harness";
import { connectRecordingSocket, type RecordingSocket } from "../_support/socket-client";

/**
 * Scale-out (README "Running several instances"): two real servers on different ports, one PostgreSQL database and one YAML
 * file. Exactly one sync runs at a time across them (the advisory lock; cron fires on both
 * and runs on one), an edit through one reaches browsers on the other (the Socket.IO
 * Postgres adapter), and API writes to both at once all land on both sides.
 */
const tasks = Object.fromEntries(
  Array.from({ length: 12 }, (_, i) => [`job-${i}`, { name: `Job ${i}`, schedule: `${i} * * * *`, command: `/opt/job-${i}.sh` }]),
);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("two instances on one PostgreSQL and one file", () => {
  let dir: string;
  let sql: pg.Client;
  let drop: () => Promise<void>;
  let a: AppProcess;
  let b: AppProcess;
  let socketB: RecordingSocket;

  beforeAll(async () => {
    const database = await createPostgresDatabase();
    drop = database.drop;
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "schedule-sync-scale-out-"));
    // Both see the same file and data folder; cron every 2 s on both, to watch it run on one.
    const shared = { db: "postgresql" as const, dir, databaseUrl: database.url, env: { SYNC_CRON: "*/2 * * * * *" } };
    a = await startAppProcess({ ...shared, yaml: yamlOf({ "daily-backup": backup, "hourly-health": health, ...tasks }) });
    b = await startAppProcess(shared);
    socketB = await connectRecordingSocket(b.url);
    sql = new pg.Client({ connectionString: database.url });
    await sql.connect();
  }, 90_000);

  afterAll(async () => {
    socketB?.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await sql?.end();
    await drop?.();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  }, 60_000);

  it("a socket on instance B sees an edit made through instance A", async () => {
    const since = Date.now();
    const res = await a.api("/api/tasks/daily-backup", { method: "PATCH", json: { name: "Edited through A" } });
    expect(res.status).toBe(200);
    const event = await socketB.next("schedule_config_updated", (p) => p.changedTaskIds.includes("daily-backup") && p.source === "api", 5_000, since);
    expect(event.runId).toBe((await res.json()).runId);
    // B's API reads the shared database.
    expect((await (await b.api("/api/tasks/daily-backup")).json()).name).toBe("Edited through A");
  });

  it("runs one sync at a time: while one holds the sync, manual runs on both instances wait", async () => {
    // Hold the advisory lock the way a running sync on a third instance (or the CLI) does.
    const holder = new pg.Client({ connectionString: a.databaseUrl });
    await holder.connect();
    await holder.query("SELECT pg_advisory_lock(7262301577)");
    const done: string[] = [];
    const trigger = (app: AppProcess, name: string) =>
      app.api("/api/sync/trigger", { method: "POST", json: {} }).then(async (res) => {
        done.push(name);
        return res;
      });
    const both = [trigger(a, "A"), trigger(b, "B")];
    await sleep(2_500); // over a cron period, so a tick fires on both meanwhile
    expect(done).toEqual([]); // neither ran while the lock was held elsewhere
    await holder.query("SELECT pg_advisory_unlock(7262301577)");
    await holder.end();
    for (const res of await Promise.all(both)) expect(res.status).toBe(200);
    expect(done.sort()).toEqual(["A", "B"]);
    // And the cron ticks that fired meanwhile on both were skipped, not queued behind it.
    expect(a.output()).toMatch(/cron sync skipped: /);
    expect(b.output()).toMatch(/cron sync skipped: /);
  });

  it("fires the cron job on both and runs it on one: one cron run per tick", async () => {
    const since = new Date();
    await sleep(6_500);
    const { rows } = await sql.query<{ started_at: Date }>(
      `SELECT started_at FROM sync_runs WHERE trigger = 'cron' AND status = 'success' AND started_at >= $1 ORDER BY started_at`,
      [since],
    );
    expect(rows.length).toBeGreaterThanOrEqual(2);
    const ticks = rows.map((row) => Math.floor(row.started_at.getTime() / 2_000));
    expect(new Set(ticks).size).toBe(ticks.length); // never two runs for one tick
    expect(a.output() + b.output()).toMatch(/cron sync skipped: (this tick already ran on another instance|another instance is syncing|the schedule file is locked)/);
  });

  it("loses no edit when both instances take API writes at once, right after a hand edit both watchers sync", async () => {
    const writes = Object.keys(tasks).flatMap((id, i) => [
      { app: i % 2 ? a : b, id, json: { description: `described via ${i % 2 ? "A" : "B"}` } },
      { app: i % 2 ? b : a, id, json: { enabled: false } },
    ]);
    const creates = Array.from({ length: 6 }, (_, i) => ({
      app: i % 2 ? a : b,
      body: { id: `created-${i}`, name: `Created ${i}`, schedule: "0 4 * * *", command: `/opt/created-${i}.sh` },
    }));
    // A hand edit lands first; both watchers then sync it while the API writes pour in. (An editor
    // saving at the very moment a server renames its write over the file is a race no lock can
    // stop: that is not what this checks.)
    const text = await fs.readFile(a.yamlPath, "utf8");
    expect(text).toContain('name: "Health check"');
    await fs.writeFile(a.yamlPath, text.replace('name: "Health check"', 'name: "Health check (by hand)"'));
    const responses = await Promise.all([
      ...writes.map(({ app, id, json }) => app.api(`/api/tasks/${id}`, { method: "PATCH", json })),
      ...creates.map(({ app, body }) => app.api("/api/tasks", { method: "POST", json: body })),
    ]);
    for (const res of responses) expect([200, 201], await res.clone().text()).toContain(res.status);

    // Let the watchers pick up the hand edit, then one more sync to be sure both sides settled.
    await sleep(1_000);
    expect((await a.api("/api/sync/trigger", { method: "POST", json: {} })).status).toBe(200);
    const parsed = parseSchedule(await fs.readFile(a.yamlPath));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const { rows } = await sql.query<{ id: string; name: string; description: string | null; enabled: boolean }>(
      "SELECT id, name, description, enabled FROM tasks",
    );
    const db = new Map(rows.map((row) => [row.id, row]));
    for (const [id, i] of Object.keys(tasks).map((key, index) => [key, index] as const)) {
      const expected = { description: `described via ${i % 2 ? "A" : "B"}`, enabled: false };
      expect(db.get(id)).toMatchObject(expected);
      expect(parsed.tasks.get(id)).toMatchObject(expected);
    }
    for (const { body } of creates) {
      expect(db.get(body.id)?.name).toBe(body.name);
      expect(parsed.tasks.get(body.id)?.name).toBe(body.name);
    }
    expect(db.get("hourly-health")?.name).toBe("Health check (by hand)");
    expect(parsed.tasks.get("hourly-health")?.name).toBe("Health check (by hand)");
    expect(db.size).toBe(parsed.tasks.size);
    const conflicts = await sql.query("SELECT task_id FROM conflicts WHERE status = 'open'");
    expect(conflicts.rows).toEqual([]);
  });
});
