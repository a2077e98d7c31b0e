import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppProcess, type AppProcess } from "../_support/app-process";
import { createPostgresDatabase } from "../_support/databases";
import { backup, yamlOf } from "../_support/engine-harness";
import { expectConverged } from "../_support/invariants";
import { connectRecordingSocket } from "../_support/socket-client";
import { crashLines, handEdit, holdTableLock, json, pgReader, waitFor } from "./_app";

/**
 * Issue #7, scenario 5: the real PostgreSQL cluster restarted while a sync is inside its
 * transaction (the file already renamed, the commit pending), then a dozen dropped
 * connections in a row. Other suites may be using the cluster: the restart is one quick
 * `pg_ctlcluster restart`, in the stress run only.
 */

const SEED = yamlOf(Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`t-${i}`, { ...backup, name: `Task ${i}` }])));
const version = fs.existsSync("/etc/postgresql") ? fs.readdirSync("/etc/postgresql")[0] : undefined;
const canRestart = (() => {
  try {
    execFileSync("pg_lsclusters", [], { stdio: "pipe" });
    return version !== undefined && process.getuid?.() === 0;
  } catch {
    return false;
  }
})();

async function settleSync(app: AppProcess) {
  return waitFor(async () => {
    const res = await app.api("/api/sync/trigger", { method: "POST", json: {} }).catch(() => null);
    return res?.status === 200 ? json<{ status: string }>(res) : null;
  }, "a sync to succeed again", 60_000, 250);
}

describe.skipIf(!canRestart)("PostgreSQL restarted under a running server", () => {
  let database: { url: string; drop(): Promise<void> };
  let app: AppProcess;
  beforeAll(async () => {
    database = await createPostgresDatabase();
    app = await startAppProcess({ db: "postgresql", databaseUrl: database.url, yaml: SEED, env: { SYNC_WATCH: "off" } });
  });
  afterAll(async () => {
    await app?.stop();
    await database?.drop().catch(() => undefined);
  });

  it("restarting the cluster mid-sync: a 503, no crash, the next sync heals both sides and live events resume", async () => {
    const socket = await connectRecordingSocket(app.url);
    let reader = pgReader(database.url);
    try {
      await handEdit(app.yamlPath, "t-1", "name", "Edited by hand before the restart");
      await reader.query(`UPDATE tasks SET command = '/db/before-restart', version = version + 1 WHERE id = 't-2'`);
      const lock = await holdTableLock(reader.pool, "sync_changes");
      const pending = app.api("/api/sync/trigger", { method: "POST", json: {} });
      await lock.waitBlocked();
      const started = Date.now();
      execFileSync("pg_ctlcluster", ["--skip-systemctl-redirect", version!, "main", "restart", "-m", "fast"], { stdio: "pipe" });
      console.info(`[reliability] PostgreSQL restarted in ${Date.now() - started} ms`);
      await lock.release();
      const res = await pending;
      const body = await json<{ error?: { code: string } }>(res);
      expect(res.status, JSON.stringify(body)).toBe(503);
      expect(body.error?.code).toBe("database_unavailable");

      await reader.close();
      reader = pgReader(database.url);
      const since = Date.now();
      expect((await settleSync(app)).status).toBe("success");
      const s = await expectConverged(reader, app.yamlPath);
      expect(s.db.get("t-1")?.name).toBe("Edited by hand before the restart");
      expect(s.db.get("t-2")?.command).toBe("/db/before-restart");
      expect((await app.api("/api/tasks/t-3", { method: "PATCH", json: { enabled: false } })).status).toBe(200);
      await socket.next("schedule_config_updated", (p) => p.changedTaskIds.includes("t-3"), 10_000, since);
      expect(crashLines(app.output())).toEqual([]);
    } finally {
      socket.close();
      await reader.close();
    }
  });

  it("a dozen dropped connections in a row do not starve the connection pool", async () => {
    const reader = pgReader(database.url);
    const dbName = new URL(database.url).pathname.slice(1);
    const listening = async () =>
      Number((await reader.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'LISTEN%'`, [dbName]))[0]!.n) > 0;
    try {
      for (let round = 0; round < 12; round++) {
        await waitFor(listening, "the Socket.IO adapter to listen again", 20_000, 100);
        await reader.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [dbName]);
      }
      const started = Date.now();
      expect((await settleSync(app)).status).toBe("success");
      expect(Date.now() - started, "a sync right after, not after a pool timeout").toBeLessThan(10_000);
      for (let i = 0; i < 12; i++) expect((await app.api(`/api/tasks/t-${i % 8}`)).status).toBe(200);
      await expectConverged(reader, app.yamlPath);
      expect(crashLines(app.output())).toEqual([]);
    } finally {
      await reader.close();
    }
  });
});
