import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEventBus } from "@/lib/events/event-bus";
import { createSyncEngine } from "@/lib/sync/engine/sync-engine";
import { createSqlSyncStorage } from "@/lib/sync/storage/sql-sync-storage";
import { createScheduleStore, parseSchedule } from "@/lib/yaml";
import { startAppProcess, type AppProcess } from "../_support/app-process";
import { createPostgresDatabase, openTestDatabase } from "../_support/databases";
import { backup, yamlOf } from "../_support/engine-harness";
import { convergenceViolations, type SqlReader, type SyncSnapshot } from "../_support/invariants";
import { connectRecordingSocket } from "../_support/socket-client";
import { apiSnapshot, crashLines, handEdit, holdTableLock, json, pgliteReader, pgReader, startWorker, waitFor } from "./_app";
import { convergedInto, scenarioSummaries, type ScenarioRow } from "./_summary";

/**
 * Issue #7, scenario 5 and the live-sync issue's "SIGTERM during a sync": processes killed
 * at the worst moments of a sync (rows written but not committed, new file complete but not
 * renamed, file renamed but DB not committed), PostgreSQL dropping the server's connections
 * mid-sync. Each time the file is whole, the DB holds its last commit, and the next start
 * or sync brings both sides together without losing either side's pending edit.
 */

const SEED = yamlOf(Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`t-${i}`, { ...backup, name: `Task ${i}` }])));
const NO_WATCH = { SYNC_WATCH: "off" };

/** Pending edits on both sides (YAML: t-1's name; DB: t-2's command) that a sync must bring across. */
async function makePendingEdits(yamlPath: string, withDb: (fn: (db: SqlReader) => Promise<void>) => Promise<void>, n: number) {
  await handEdit(yamlPath, "t-1", "name", `Hand edit ${n}`);
  await withDb((db) => db.query(`UPDATE tasks SET command = $1, version = version + 1 WHERE id = 't-2'`, [`/db/edit ${n}`]).then(() => undefined));
  return { name: `Hand edit ${n}`, command: `/db/edit ${n}` };
}

function expectEditsLanded(s: SyncSnapshot, edits: { name: string; command: string }, row?: ScenarioRow) {
  if (row) {
    for (const side of [s.db, s.yaml]) {
      if (side?.get("t-1")?.name !== edits.name) row.lost++;
      if (side?.get("t-2")?.command !== edits.command) row.lost++;
    }
  }
  for (const side of [s.db, s.yaml!]) {
    expect(side.get("t-1")?.name).toBe(edits.name);
    expect(side.get("t-2")?.command).toBe(edits.command);
  }
}

/** The DB rows a crashed run must not have changed (runs and conflicts included). */
async function dbFingerprint(db: SqlReader): Promise<string> {
  const [row] = await db.query<{ fp: string }>(
    `SELECT (SELECT coalesce(json_agg(t ORDER BY id), '[]') FROM tasks t)::text || (SELECT coalesce(json_agg(b ORDER BY task_id), '[]') FROM sync_base b)::text
       || (SELECT count(*) FROM sync_runs)::text || (SELECT count(*) FROM conflicts)::text AS fp`,
  );
  return row!.fp;
}

async function crashWorker(config: Record<string, unknown>, dir: string) {
  const file = path.join(dir, `crash-${config.at}.json`);
  await fs.writeFile(file, JSON.stringify(config));
  const worker = startWorker("engine-crash.ts", [file]);
  const line = await waitFor(() => /READY (\S+) (\S+)/.exec(worker.output()) ?? (worker.child.exitCode !== null ? Promise.reject(new Error(worker.output())) : null), "the sync to freeze", 30_000);
  return { worker, temp: line[2] === "-" ? null : line[2]! };
}

// Each case starts and stops real servers (PGlite alone can take 20 s to start on a loaded machine).
describe("crash recovery on PostgreSQL", { timeout: 180_000 }, () => {
  const scenario = scenarioSummaries();
  let database: { url: string; drop(): Promise<void> };
  let reader: ReturnType<typeof pgReader>;
  let dir: string;
  let app: AppProcess;
  let edits: { name: string; command: string };
  const withDb = (fn: (db: SqlReader) => Promise<void>) => fn(reader);
  const start = async () => (app = await startAppProcess({ db: "postgresql", databaseUrl: database.url, dir, env: NO_WATCH }));

  beforeAll(async () => {
    database = await createPostgresDatabase();
    reader = pgReader(database.url);
    app = await startAppProcess({ db: "postgresql", databaseUrl: database.url, yaml: SEED, env: NO_WATCH });
    dir = app.dir;
  }, 180_000);
  afterAll(async () => {
    await app?.stop("SIGKILL");
    await reader?.close();
    await database?.drop();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it("SIGKILL while the sync transaction has written rows but not the file: the file is untouched, the DB keeps its last commit, the restart syncs", async () => {
    const row = scenario("postgresql: server SIGKILLed with the sync transaction's rows written, the file not yet");
    edits = await makePendingEdits(app.yamlPath, withDb, 1);
    row.ops += 3;
    const fileBefore = await fs.readFile(app.yamlPath);
    const dbBefore = await dbFingerprint(reader);
    // sync_base is written after the task rows and before the file, in the same transaction.
    const lock = await holdTableLock(reader.pool, "sync_base");
    const pending = app.api("/api/sync/trigger", { method: "POST", json: {} }).catch((error: Error) => error);
    try {
      await lock.waitBlocked();
      row.injected++;
      await app.stop("SIGKILL");
    } finally {
      await lock.release();
    }
    expect(await pending).toBeInstanceOf(Error);
    if (!(await fs.readFile(app.yamlPath)).equals(fileBefore)) row.corrupt++;
    if ((await dbFingerprint(reader)) !== dbBefore) row.corrupt++;
    expect(await fs.readFile(app.yamlPath)).toEqual(fileBefore);
    expect(await dbFingerprint(reader)).toBe(dbBefore);

    await start();
    row.ops++;
    expectEditsLanded(await convergedInto(row, reader, app.yamlPath), edits, row);
    row.detail.push("ops = a hand edit, a DB edit, the killed sync, the sync at restart; corrupt = file or DB changed by the killed run + disagreements after");
    row.complete = true;
  });

  it("SIGKILL after the new file was renamed but before the commit: the restart heals from the file", async () => {
    const row = scenario("postgresql: server SIGKILLed after the new file was renamed, before the commit");
    edits = await makePendingEdits(app.yamlPath, withDb, 2);
    row.ops += 3;
    const dbBefore = await dbFingerprint(reader);
    // sync_changes is written after the file is renamed, in the same transaction.
    const lock = await holdTableLock(reader.pool, "sync_changes");
    const pending = app.api("/api/sync/trigger", { method: "POST", json: {} }).catch((error: Error) => error);
    try {
      await lock.waitBlocked();
      row.injected++;
      await app.stop("SIGKILL");
    } finally {
      await lock.release();
    }
    expect(await pending).toBeInstanceOf(Error);
    // The file already holds the merged result; the DB rolled back to its last commit.
    const file = parseSchedule(await fs.readFile(app.yamlPath));
    if (!file.ok) row.corrupt++;
    if ((await dbFingerprint(reader)) !== dbBefore) row.corrupt++;
    expect(file.ok && file.tasks.get("t-1")?.name).toBe(edits.name);
    expect(file.ok && file.tasks.get("t-2")?.command).toBe(edits.command);
    expect(await dbFingerprint(reader)).toBe(dbBefore);

    await start();
    row.ops++;
    expectEditsLanded(await convergedInto(row, reader, app.yamlPath), edits, row);
    row.detail.push("ops = a hand edit, a DB edit, the killed sync, the sync at restart");
    row.complete = true;
  });

  it("SIGTERM during a sync lets that sync finish and exits cleanly with a consistent DB and file", async () => {
    const row = scenario("postgresql: SIGTERM during a sync");
    edits = await makePendingEdits(app.yamlPath, withDb, 3);
    row.ops += 3;
    const lock = await holdTableLock(reader.pool, "sync_changes");
    const pending = app.api("/api/sync/trigger", { method: "POST", json: {} }).catch((error: Error) => error);
    const exited = new Promise<number | null>((resolve) => app.child.once("exit", (code) => resolve(code)));
    try {
      await lock.waitBlocked();
      row.injected++;
      app.child.kill("SIGTERM");
      await waitFor(() => app.output().includes("SIGTERM: shutting down"), "the server to begin shutting down");
    } finally {
      await lock.release();
    }
    const stopping = Date.now();
    expect(await exited).toBe(0);
    expect(Date.now() - stopping, "exits as soon as the sync is done").toBeLessThan(5_000);
    const answer = await pending;
    expect(answer instanceof Error ? answer.message : answer.status, "the request that asked for the sync gets its answer").toBe(200);
    expectEditsLanded(await convergedInto(row, reader, app.yamlPath), edits, row);
    const [last] = await reader.query<{ status: string; trigger: string }>(`SELECT status, trigger FROM sync_runs ORDER BY started_at DESC LIMIT 1`);
    expect(last).toEqual({ status: "success", trigger: "manual" });
    row.detail.push("ops = a hand edit, a DB edit, the sync the SIGTERM lands in (it must finish and answer 200)");
    row.complete = true;
  });

  it("a sync process killed between temp write and rename, then one killed before its commit: the file is never partial and the next start converges", async () => {
    const row = scenario("postgresql: sync processes SIGKILLed between temp write and rename, and before the commit");
    edits = await makePendingEdits(app.yamlPath, withDb, 4);
    row.ops += 2;
    const config = { yamlPath: app.yamlPath, backupDir: path.join(app.dataDir, "backups"), databaseUrl: database.url };
    const fileBefore = await fs.readFile(app.yamlPath);
    const dbBefore = await dbFingerprint(reader);

    const first = await crashWorker({ ...config, at: "before-rename" }, dir);
    row.ops++;
    expect(first.temp && parseSchedule(await fs.readFile(first.temp)).ok, "the temp file is complete before the rename").toBe(true);
    row.injected++;
    first.worker.child.kill("SIGKILL");
    expect(await first.worker.exited).toBeNull();
    if (!(await fs.readFile(app.yamlPath)).equals(fileBefore)) row.corrupt++;
    if ((await dbFingerprint(reader)) !== dbBefore) row.corrupt++;
    expect(await fs.readFile(app.yamlPath)).toEqual(fileBefore);
    expect(await dbFingerprint(reader)).toBe(dbBefore);

    const second = await crashWorker({ ...config, at: "before-commit" }, dir);
    row.ops++;
    row.injected++;
    second.worker.child.kill("SIGKILL");
    expect(await second.worker.exited).toBeNull();
    const file = parseSchedule(await fs.readFile(app.yamlPath));
    if (!file.ok) row.corrupt++;
    if ((await dbFingerprint(reader)) !== dbBefore) row.corrupt++;
    expect(file.ok && file.tasks.get("t-2")?.command).toBe(edits.command);
    expect(await dbFingerprint(reader)).toBe(dbBefore);

    await start();
    row.ops++;
    expectEditsLanded(await convergedInto(row, reader, app.yamlPath), edits, row);
    row.detail.push("ops = a hand edit, a DB edit, two killed sync processes, the sync at restart");
    row.complete = true;
  });

  it("PostgreSQL dropping every connection mid-sync: the run is retried on a fresh connection, no crash, the edits land and live events resume", async () => {
    const row = scenario("postgresql: every server connection dropped mid-sync");
    const socket = await connectRecordingSocket(app.url);
    try {
      edits = await makePendingEdits(app.yamlPath, withDb, 5);
      row.ops += 3;
      const lock = await holdTableLock(reader.pool, "sync_changes");
      try {
        const pending = app.api("/api/sync/trigger", { method: "POST", json: {} });
        await lock.waitBlocked();
        const dbName = new URL(database.url).pathname.slice(1);
        const [holder] = await reader.query<{ pid: number }>(`SELECT pid FROM pg_locks WHERE relation = 'sync_changes'::regclass AND granted AND mode = 'ExclusiveLock'`);
        const terminated = await reader.query<{ ok: boolean }>(`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND pid <> $2`, [dbName, holder!.pid]);
        row.injected += terminated.filter((r) => r.ok).length;
        await lock.release();
        // The run lost its connection half way: its transaction rolled back, nothing of it was
        // kept, and it ran again on a new connection (issue #16: a blip is not a 503).
        const res = await pending;
        const body = await json<{ status: string }>(res);
        expect(res.status, JSON.stringify(body)).toBe(200);
        expect(body.status).toBe("success");
      } finally {
        await lock.release();
      }

      const since = Date.now();
      const result = await waitFor(async () => {
        row.ops++;
        const r = await app.api("/api/sync/trigger", { method: "POST", json: {} });
        return r.status === 200 ? json<{ status: string }>(r) : null;
      }, "a sync to succeed again", 30_000, 200);
      expect(result.status).toBe("success");
      expectEditsLanded(await convergedInto(row, reader, app.yamlPath), edits, row);
      await socket.next("sync_status_changed", (p) => p.status.state === "idle", 10_000, since);
      expect(crashLines(app.output())).toEqual([]);
      row.detail.push("ops = a hand edit, a DB edit, the sync cut off, the syncs until one succeeds; injected = server connections terminated");
      row.complete = true;
    } finally {
      socket.close();
    }
  });
});

describe("crash recovery on PostgreSQL: a temp file left by a killed writer", { timeout: 120_000 }, () => {
  const scenario = scenarioSummaries();
  it("is cleaned up by the next sync even when that sync has nothing to write to the file", async () => {
    const row = scenario("postgresql: a temp file left by a sync process SIGKILLed before the rename");
    const { db, url, drop } = await openTestDatabase("postgresql");
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "schedule-sync-orphan-"));
    const yamlPath = path.join(dir, "schedule_config.yml");
    const store = createScheduleStore({ path: yamlPath, backupDir: path.join(dir, "backups") });
    const engine = createSyncEngine({ storage: createSqlSyncStorage(db), store, events: createEventBus(), autoMerge: true, log: () => undefined });
    try {
      await fs.writeFile(yamlPath, SEED);
      await engine.run({ trigger: "manual" });
      // A DB-side change makes the killed run write the file; the next run only has a
      // YAML-side change to bring in, which writes nothing to the file.
      await db.query(`UPDATE tasks SET command = '/db/edit', version = version + 1 WHERE id = 't-2'`);
      const crashed = await crashWorker({ yamlPath, backupDir: path.join(dir, "backups"), databaseUrl: url, at: "before-rename" }, dir);
      row.injected++;
      crashed.worker.child.kill("SIGKILL");
      expect(await crashed.worker.exited).toBeNull();
      await db.query(`UPDATE tasks SET command = $1 WHERE id = 't-2'`, [backup.command]);
      await handEdit(yamlPath, "t-3", "name", "Only a YAML-side change");
      await engine.run({ trigger: "manual" });
      row.ops += 6;
      const converged = await convergedInto(row, db, yamlPath);
      if (converged.db.get("t-3")?.name !== "Only a YAML-side change") row.lost++;
      expect(converged.db.get("t-3")?.name).toBe("Only a YAML-side change");
      row.detail.push("ops = two syncs, two DB edits, a hand edit, the killed sync");
      row.complete = true;
    } finally {
      await engine.idle();
      await drop();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe("crash recovery on PGlite", { timeout: 180_000 }, () => {
  const scenario = scenarioSummaries();
  let dir: string;
  let app: AppProcess;
  let edits: { name: string; command: string };
  const withDb = async (fn: (db: SqlReader) => Promise<void>) => {
    const db = await pgliteReader(app.dataDir);
    try {
      await fn(db);
    } finally {
      await db.close();
    }
  };

  beforeAll(async () => {
    app = await startAppProcess({ db: "pglite", yaml: SEED, env: NO_WATCH });
    dir = app.dir;
    await app.stop();
  }, 180_000);
  afterAll(async () => {
    await app?.stop("SIGKILL");
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it("a sync process killed between temp write and rename, then one killed before its commit: PGlite reopens at its last commit, the restart converges, and an API write acknowledged just before a SIGKILL survives it", async () => {
    const row = scenario("pglite: sync processes SIGKILLed before the rename and before the commit, then the server SIGKILLed after an acknowledged write");
    edits = await makePendingEdits(app.yamlPath, withDb, 1);
    row.ops += 2;
    const config = { yamlPath: app.yamlPath, backupDir: path.join(app.dataDir, "backups"), pgliteDir: path.join(app.dataDir, "pglite") };
    const fileBefore = await fs.readFile(app.yamlPath);
    let dbBefore = "";
    await withDb(async (db) => void (dbBefore = await dbFingerprint(db)));

    const first = await crashWorker({ ...config, at: "before-rename" }, dir);
    row.ops++;
    expect(first.temp && parseSchedule(await fs.readFile(first.temp)).ok).toBe(true);
    row.injected++;
    first.worker.child.kill("SIGKILL");
    expect(await first.worker.exited).toBeNull();
    if (!(await fs.readFile(app.yamlPath)).equals(fileBefore)) row.corrupt++;
    expect(await fs.readFile(app.yamlPath)).toEqual(fileBefore);
    await withDb(async (db) => {
      const fp = await dbFingerprint(db);
      if (fp !== dbBefore) row.corrupt++;
      expect(fp).toBe(dbBefore);
    });

    const second = await crashWorker({ ...config, at: "before-commit" }, dir);
    row.ops++;
    row.injected++;
    second.worker.child.kill("SIGKILL");
    expect(await second.worker.exited).toBeNull();
    const file = parseSchedule(await fs.readFile(app.yamlPath));
    if (!file.ok) row.corrupt++;
    expect(file.ok && file.tasks.get("t-1")?.name).toBe(edits.name);
    await withDb(async (db) => {
      const fp = await dbFingerprint(db);
      if (fp !== dbBefore) row.corrupt++;
      expect(fp).toBe(dbBefore);
    });

    // The restart heals; then an API write acknowledged just before a SIGKILL must survive it.
    app = await startAppProcess({ db: "pglite", dir, env: NO_WATCH });
    row.ops++;
    const healed = await apiSnapshot(app);
    row.corrupt += convergenceViolations(healed).length;
    expect(convergenceViolations(healed)).toEqual([]);
    expectEditsLanded(healed, edits, row);
    const res = await app.api("/api/tasks/t-3", { method: "PATCH", json: { command: "/acknowledged" } });
    row.ops++;
    expect(res.status).toBe(200);
    row.injected++;
    await app.stop("SIGKILL");
    app = await startAppProcess({ db: "pglite", dir, env: NO_WATCH });
    const survived = (await json<{ command: string }>(await app.api("/api/tasks/t-3"))).command;
    if (survived !== "/acknowledged") row.lost++;
    expect(survived).toBe("/acknowledged");
    await app.stop();
    await withDb(async (db) => {
      const s = await convergedInto(row, db, app.yamlPath);
      expectEditsLanded(s, edits);
      expect(s.yaml!.get("t-3")?.command).toBe("/acknowledged");
    });
    row.detail.push("ops = a hand edit, a DB edit, two killed sync processes, the sync at restart, an acknowledged API write; injected = two sync processes and the server SIGKILLed");
    row.complete = true;
  });
});
