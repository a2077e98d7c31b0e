import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Task } from "@/lib/tasks/task-schema";
import { parseSchedule } from "@/lib/yaml";
import { startAppProcess, type AppProcess } from "../_support/app-process";
import { DB_KINDS } from "../_support/databases";
import { yamlOf } from "../_support/engine-harness";
import { convergenceViolations, snapshot } from "../_support/invariants";
import { apiSnapshot, crashLines, handEdit, json, pgReader, waitFor } from "./_app";
import { scenarioSummaries } from "./_summary";

/**
 * Issue #16 against real servers: each way an edit was lost or left silently diverged, as the
 * issue tried it. The deterministic simulation (tests/sync-engine/simulation.test.ts) covers
 * the interleavings; these are the concrete findings, on real files and databases.
 */

const task = (id: string, fields: Partial<Task> = {}) => ({ name: `Task ${id}`, schedule: "0 * * * *", command: `/bin/${id}`, ...fields });
const tasksOf = (ids: string[]) => Object.fromEntries(ids.map((id) => [id, task(id)]));

interface Status {
  pending: number | null;
  retry: { at: string; attempt: number; error: string | null } | null;
  held: { yaml: number; db: number };
  openConflicts: number;
  state: string;
}
const status = async (app: AppProcess) => json<Status>(await app.api("/api/sync/status"));
/** Waits until the server says both sides agree (apart from conflicts) and nothing is being retried. */
async function converged(app: AppProcess, timeoutMs = 20_000): Promise<Status> {
  let last: Status | null = null;
  try {
    return await waitFor(async () => {
      last = await status(app);
      return last.pending === 0 && last.retry === null && last.state === "idle" ? last : null;
    }, "the server to report both sides in sync", timeoutMs, 100);
  } catch (error) {
    throw new Error(`${(error as Error).message}; last status: ${JSON.stringify(last)}`);
  }
}

/**
 * Replaces the schedule with `text` on purpose: when that deletes many tasks at once the
 * deletions are held (the delete guard), and a person applies them.
 */
async function replaceSchedule(app: AppProcess, text: string) {
  await fs.writeFile(app.yamlPath, text);
  const expected = parseSchedule(text);
  await waitFor(async () => {
    const s = await status(app);
    if (s.held.yaml > 0) await app.api("/api/sync/held-deletions", { method: "POST", json: { deletedIn: "yaml", action: "apply" } });
    const db = (await apiSnapshot(app)).db;
    return expected.ok && db.size === expected.tasks.size && [...expected.tasks.keys()].every((id) => db.has(id));
  }, "the replaced schedule in the DB", 60_000, 200);
  await converged(app);
}

async function fileTasks(app: AppProcess): Promise<Map<string, Task>> {
  const parsed = parseSchedule(await fs.readFile(app.yamlPath, "utf8"));
  if (!parsed.ok) throw new Error(parsed.issues[0]!.message);
  return parsed.tasks;
}
/** Saves the file the way sed -i does: a new file renamed over the old one, no lock. */
async function sedSave(file: string, edit: (text: string) => string) {
  const text = await fs.readFile(file, "utf8");
  const temp = path.join(path.dirname(file), `.sed${Math.random().toString(16).slice(2)}`);
  await fs.writeFile(temp, edit(text));
  await fs.rename(temp, file);
}

describe.each(DB_KINDS)("convergence on %s", (kind) => {
  const scenario = scenarioSummaries();
  let app: AppProcess;
  beforeAll(async () => {
    app = await startAppProcess({ db: kind, yaml: yamlOf(tasksOf(["alpha", "beta", "gamma"])), env: { SYNC_CRON: "off" } });
  }, 120_000);
  afterAll(async () => {
    expect(crashLines(app?.output() ?? "")).toEqual([]);
    await app?.dispose();
  });

  it("(1) a hand edit saved inside the debounce window of an API write reaches the DB; so does a key renamed there", async () => {
    const row = scenario(`${kind} (1): hand edits saved beside API writes`);
    await sedSave(app.yamlPath, (text) => text.replace('command: "/bin/beta"', 'command: "/bin/beta--hand"'));
    const patched = await app.api("/api/tasks/gamma", { method: "PATCH", json: { name: "G" } });
    expect(patched.status).toBe(200);
    row.ops += 2;
    await waitFor(async () => (await json<Task>(await app.api("/api/tasks/beta"))).command === "/bin/beta--hand", "the hand edit in the DB", 10_000);

    await sedSave(app.yamlPath, (text) => text.replace("  beta:\n", "  beta-renamed:\n"));
    expect((await app.api("/api/tasks/gamma", { method: "PATCH", json: { name: "G2" } })).status).toBe(200);
    row.ops += 2;
    await waitFor(async () => (await app.api("/api/tasks/beta-renamed")).status === 200, "the renamed key in the DB", 10_000);
    expect((await app.api("/api/tasks/beta")).status).toBe(404);
    const s = await converged(app);
    expect(s.openConflicts).toBe(0);

    // 150 API writes beside 60 in-place hand edits of other tasks, as fast as they come.
    const handIds = Array.from({ length: 6 }, (_, i) => `hand-${i}`);
    const apiIds = Array.from({ length: 10 }, (_, i) => `api-${i}`);
    const existing = Object.fromEntries([...(await fileTasks(app))].map(([id, { id: _, ...body }]) => [id, body]));
    await replaceSchedule(app, yamlOf({ ...existing, ...tasksOf([...handIds, ...apiIds]) }));
    const lastHand = new Map<string, string>();
    const lastApi = new Map<string, string>();
    const hands = (async () => {
      for (let i = 0; i < 60; i++) {
        const id = handIds[i % handIds.length]!;
        const value = `hand edit ${i}`;
        await handEdit(app.yamlPath, id, "name", value);
        lastHand.set(id, value);
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
    })();
    const apis = (async () => {
      for (let i = 0; i < 150; i++) {
        const id = apiIds[i % apiIds.length]!;
        const value = `api edit ${i}`;
        // A file rewritten in place every 15 ms can stay in motion through a write's retries:
        // the answer is then 503 with Retry-After, and a client tries again.
        let res = await app.api(`/api/tasks/${id}`, { method: "PATCH", json: { name: value } });
        for (let retry = 0; res.status === 503 && retry < 5; retry++) {
          row.injected++;
          await new Promise((resolve) => setTimeout(resolve, 1000 * Number(res.headers.get("retry-after") ?? 1)));
          res = await app.api(`/api/tasks/${id}`, { method: "PATCH", json: { name: value } });
        }
        if (res.status === 200) lastApi.set(id, value);
        else throw new Error(`PATCH ${id} answered ${res.status}: ${await res.text()}`);
      }
    })();
    await Promise.all([hands, apis]);
    row.ops += 210;
    await converged(app);
    const file = await fileTasks(app);
    const db = (await apiSnapshot(app)).db;
    const lost = [...lastHand, ...lastApi].filter(([id, name]) => file.get(id)?.name !== name || db.get(id)?.name !== name);
    row.lost += lost.length;
    expect(lost).toEqual([]);
    row.complete = true;
  });

  it("(2a) a hand edit saved while the server starts is synced without anyone asking", async () => {
    const row = scenario(`${kind} (2a): hand edits during start-up`);
    const dir = await fs.mkdtemp(path.join(app.dir, "startup-"));
    const yamlPath = path.join(dir, "config", "schedule_config.yml");
    await fs.mkdir(path.dirname(yamlPath), { recursive: true });
    await fs.writeFile(yamlPath, yamlOf(tasksOf(["one", "two"])));
    // Keep editing while the server starts; the last edit is saved after it listens.
    let n = 0;
    let editing = true;
    const editor = (async () => {
      while (editing) {
        await handEdit(yamlPath, "two", "name", `start-up edit ${++n}`).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 40));
      }
    })();
    const second = await startAppProcess({ db: kind, dir, env: { SCHEDULE_CONFIG_PATH: yamlPath, SYNC_CRON: "off" } });
    try {
      editing = false;
      await editor;
      row.ops += n;
      await waitFor(async () => (await json<Task>(await second.api("/api/tasks/two"))).name === `start-up edit ${n}`, "the last start-up edit in the DB", 10_000);
      await converged(second);
      row.complete = true;
    } finally {
      await second.stop();
    }
  });

  it("(4) a file written in two halves 1.5 s apart deletes and re-creates nothing", async () => {
    const row = scenario(`${kind} (4): a 2,000-task file written in two halves`);
    const ids = Array.from({ length: 2000 }, (_, i) => `bulk-${String(i).padStart(4, "0")}`);
    const whole = yamlOf(tasksOf(ids));
    await replaceSchedule(app, whole);
    const before = (await apiSnapshot(app)).db;
    // A program rewrites the same content in two halves, cut mid-line.
    const cut = whole.indexOf("command", Math.floor(whole.length / 2)) + 4;
    const handle = await fs.open(app.yamlPath, "w");
    await handle.write(whole.slice(0, cut));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await handle.write(whole.slice(cut));
    await handle.close();
    row.ops += 2;
    row.injected++;
    await converged(app, 30_000);
    const after = (await apiSnapshot(app)).db;
    const recreated = ids.filter((id) => after.get(id)?.version !== before.get(id)?.version);
    row.lost += ids.filter((id) => !after.has(id)).length;
    expect(recreated).toEqual([]);
    expect(after.size).toBe(before.size);
    row.complete = true;
  });

  it("(5) replacing the file by one with half the tasks holds the deletions; a person applies or restores them", async () => {
    const row = scenario(`${kind} (5): mass deletions held`);
    const ids = Array.from({ length: 200 }, (_, i) => `many-${String(i).padStart(3, "0")}`);
    await replaceSchedule(app, yamlOf(tasksOf(ids)));
    await fs.writeFile(app.yamlPath, yamlOf(tasksOf(ids.slice(0, 100))));
    row.injected++;
    const held = await waitFor(async () => {
      const s = await status(app);
      return s.held.yaml === 100 ? s : null;
    }, "the deletions to be held", 10_000);
    expect(held.pending).toBe(0);
    expect((await apiSnapshot(app)).db.size).toBe(200);

    const dry = await json<{ taskIds: string[]; dryRun: boolean }>(
      await app.api("/api/sync/held-deletions", { method: "POST", json: { deletedIn: "yaml", action: "restore", dryRun: true } }),
    );
    expect(dry.taskIds).toEqual(ids.slice(100));
    expect((await status(app)).held.yaml).toBe(100);
    const restored = await app.api("/api/sync/held-deletions", { method: "POST", json: { deletedIn: "yaml", action: "restore" } });
    expect(restored.status).toBe(200);
    await converged(app);
    expect((await fileTasks(app)).size).toBe(200);
    expect((await status(app)).held).toEqual({ yaml: 0, db: 0 });

    await fs.writeFile(app.yamlPath, yamlOf(tasksOf(ids.slice(0, 100))));
    await waitFor(async () => (await status(app)).held.yaml === 100, "the deletions to be held again", 10_000);
    const applied = await app.api("/api/sync/held-deletions", { method: "POST", json: { deletedIn: "yaml", action: "apply" } });
    expect(applied.status).toBe(200);
    await converged(app);
    expect((await apiSnapshot(app)).db.size).toBe(100);
    row.ops += 6;
    row.complete = true;
  });

  it("(6) a ConfigMap-style swap of ..data is seen, and a write keeps the links", async () => {
    const row = scenario(`${kind} (6): a symlinked file and a ConfigMap swap`);
    const dir = await fs.mkdtemp(path.join(app.dir, "configmap-"));
    const version = async (name: string, text: string) => {
      await fs.mkdir(path.join(dir, name));
      await fs.writeFile(path.join(dir, name, "schedule_config.yml"), text);
    };
    await version("..2026_12_01_10_00_00.1", yamlOf(tasksOf(["cm-a", "cm-b"])));
    await fs.symlink("..2026_12_01_10_00_00.1", path.join(dir, "..data"));
    const yamlPath = path.join(dir, "schedule_config.yml");
    await fs.symlink("..data/schedule_config.yml", yamlPath);
    const second = await startAppProcess({ db: kind, dir: await fs.mkdtemp(path.join(app.dir, "configmap-app-")), env: { SCHEDULE_CONFIG_PATH: yamlPath, SYNC_CRON: "off" } });
    try {
      await converged(second);
      // The way Kubernetes updates a ConfigMap volume: a new dated folder, then ..data swapped atomically.
      await version("..2026_12_01_11_00_00.2", yamlOf(tasksOf(["cm-a", "cm-b", "cm-c"])));
      await fs.symlink("..2026_12_01_11_00_00.2", path.join(dir, "..data_tmp"));
      await fs.rename(path.join(dir, "..data_tmp"), path.join(dir, "..data"));
      row.injected++;
      await waitFor(async () => (await second.api("/api/tasks/cm-c")).status === 200, "the swapped-in task in the DB", 10_000);
      expect((await second.api("/api/tasks/cm-a", { method: "PATCH", json: { name: "through the links" } })).status).toBe(200);
      expect((await fs.lstat(yamlPath)).isSymbolicLink()).toBe(true);
      expect((await fs.lstat(path.join(dir, "..data"))).isSymbolicLink()).toBe(true);
      expect(await fs.readFile(path.join(dir, "..2026_12_01_11_00_00.2", "schedule_config.yml"), "utf8")).toContain("through the links");
      row.ops += 3;
      row.complete = true;
    } finally {
      await second.stop();
    }
  });

  it("(7) an unlocked script rewriting the file every 30 ms beside 60 parallel API writers keeps every one of its edits", async () => {
    const row = scenario(`${kind} (7): an unlocked rewriting script beside 60 API writers`);
    const scriptIds = Array.from({ length: 4 }, (_, i) => `script-${i}`);
    const writerIds = Array.from({ length: 60 }, (_, i) => `writer-${i}`);
    await replaceSchedule(app, yamlOf(tasksOf([...scriptIds, ...writerIds])));
    // Reads the file, bumps a counter in one of its tasks' command, and renames the result over
    // the file, as sed -i does: no lock, every 30 ms, for 6 s.
    const script = `
      const fs = require("node:fs");
      const [file, ids] = [process.argv[1], process.argv[2].split(",")];
      const last = {};
      let n = 0;
      const stop = Date.now() + 6000;
      while (Date.now() < stop) {
        const id = ids[n % ids.length];
        const text = fs.readFileSync(file, "utf8");
        const next = text.replace(new RegExp("(  " + id + ":\\\\n(?:    .*\\\\n)*?    command: )[^\\\\n]*"), "$1/bin/script-counter-" + ++n);
        if (next === text) continue;
        fs.writeFileSync(file + ".sedtmp", next);
        fs.renameSync(file + ".sedtmp", file);
        last[id] = "/bin/script-counter-" + n;
        const until = Date.now() + 30; while (Date.now() < until) {}
      }
      process.stdout.write(JSON.stringify({ n, last }));
    `;
    const child = spawn(process.execPath, ["-e", script, app.yamlPath, scriptIds.join(",")], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise((resolve) => child.once("exit", resolve));
    let writes = 0;
    const writers = writerIds.map(async (id) => {
      for (let i = 0; i < 5; i++) {
        const res = await app.api(`/api/tasks/${id}`, { method: "PATCH", json: { name: `written ${i}` } });
        if (res.status !== 200 && res.status !== 202 && res.status !== 503) throw new Error(`PATCH ${id} answered ${res.status}: ${await res.text()}`);
        writes++;
      }
    });
    await Promise.all(writers);
    await exited;
    const { n, last } = JSON.parse(out) as { n: number; last: Record<string, string> };
    row.ops += n + writes;
    await converged(app, 30_000);
    const file = await fileTasks(app);
    const db = (await apiSnapshot(app)).db;
    // The server never replaced a version of the script's: its last edit of each task is on both sides.
    const lost = Object.entries(last).filter(([id, command]) => file.get(id)?.command !== command || db.get(id)?.command !== command);
    row.lost += lost.length;
    expect(n).toBeGreaterThan(20);
    expect(lost).toEqual([]);
    row.detail.push(`${n} unlocked rewrites by the script, ${writes} API writes of other tasks (a stale rewrite of the script reverting those is issue #17's lineage)`);
    row.complete = true;
  }, 120_000);
});

describe("convergence on postgresql: the database goes away", () => {
  const scenario = scenarioSummaries();
  let app: AppProcess;
  let reader: ReturnType<typeof pgReader>;
  beforeAll(async () => {
    app = await startAppProcess({ db: "postgresql", yaml: yamlOf(tasksOf(["pg-x", "pg-y"])), env: { SYNC_CRON: "off" } });
    reader = pgReader(app.databaseUrl!);
  }, 120_000);
  afterAll(async () => {
    await reader?.close();
    await app?.dispose();
  });
  const dbName = () => new URL(app.databaseUrl!).pathname.slice(1);

  it("(2b, 8) a hand edit during an outage lands once PostgreSQL takes connections again; meanwhile 503 with Retry-After and a retrying status", async () => {
    const row = scenario("postgresql (2b, 8): a hand edit while the database refuses connections");
    await converged(app);
    // From the maintenance database: a database cannot refuse connections to itself.
    const admin = pgReader(app.databaseUrl!.replace(/\/[^/]*$/, "/postgres"));
    await admin.query(`ALTER DATABASE "${dbName()}" ALLOW_CONNECTIONS false`);
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [dbName()]);
    row.injected++;
    try {
      await handEdit(app.yamlPath, "pg-x", "name", "edited during the outage");
      row.ops++;
      const refused = await waitFor(async () => {
        const res = await app.api("/api/tasks");
        return res.status === 503 ? res : null;
      }, "a 503 while the database refuses connections", 10_000);
      expect(refused.headers.get("retry-after")).toBe("2");
      expect((await json<{ error: { code: string } }>(refused)).error.code).toBe("database_unavailable");
      // The status still answers, and says the sync is retrying and why.
      const retrying = await waitFor(async () => {
        const s = await json<Status & { dbReachable: boolean }>(await app.api("/api/sync/status"));
        return s.retry !== null ? s : null;
      }, "the status to show the retry", 10_000);
      expect(retrying.dbReachable).toBe(false);
      expect(retrying.retry!.error).toMatch(/unavailable|ECONNREFUSED|accepting connections/i);
      await new Promise((resolve) => setTimeout(resolve, 4000));
    } finally {
      await admin.query(`ALTER DATABASE "${dbName()}" ALLOW_CONNECTIONS true`);
      await admin.close();
    }
    await waitFor(async () => {
      const res = await app.api("/api/tasks/pg-x");
      return res.status === 200 && (await json<Task>(res)).name === "edited during the outage";
    }, "the edit in the DB after the outage, with no one asking", 30_000, 250);
    await converged(app);
    const violations = convergenceViolations(await snapshot(reader, app.yamlPath));
    row.corrupt += violations.length;
    expect(violations).toEqual([]);
    row.complete = true;
  }, 90_000);

  it("(3) PATCHes while connections are terminated: every 200 is in the DB and the file, no conflict between the API's own writes", async () => {
    const row = scenario("postgresql (3): PATCHes while server connections are terminated");
    await converged(app);
    let stop = false;
    const killer = (async () => {
      while (!stop) {
        const killed = await reader.query<{ ok: boolean }>(
          `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND application_name = ''`,
          [dbName()],
        );
        row.injected += killed.filter((k) => k.ok).length;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    let lastAcked: string | null = null;
    const answers: Record<number, number> = {};
    for (let i = 0; i < 60; i++) {
      const value = `patched ${i}`;
      const res = await app.api("/api/tasks/pg-y", { method: "PATCH", json: { description: value } });
      answers[res.status] = (answers[res.status] ?? 0) + 1;
      if (res.status === 200) lastAcked = value;
      else expect(res.status, await res.text()).toBe(503);
    }
    stop = true;
    await killer;
    row.ops += 60;
    await converged(app, 30_000);
    const s = await snapshot(reader, app.yamlPath);
    expect(s.open).toEqual([]);
    expect(lastAcked).not.toBeNull();
    if (s.db.get("pg-y")?.description !== lastAcked || s.yaml?.get("pg-y")?.description !== lastAcked) row.lost++;
    expect(s.db.get("pg-y")?.description).toBe(lastAcked);
    expect(s.yaml?.get("pg-y")?.description).toBe(lastAcked);
    expect(convergenceViolations(s)).toEqual([]);
    row.detail.push(`answers ${JSON.stringify(answers)}`);
    row.complete = true;
  }, 120_000);

  it("(5) DELETE FROM tasks in SQL does not empty the file: the deletions are held", async () => {
    const row = scenario("postgresql (5): DELETE FROM tasks");
    const ids = Array.from({ length: 40 }, (_, i) => `sql-${i}`);
    await replaceSchedule(app, yamlOf(tasksOf(["pg-x", "pg-y", ...ids])));
    await reader.query(`DELETE FROM tasks`);
    row.injected++;
    await app.api("/api/sync/trigger", { method: "POST", json: {} });
    expect((await status(app)).held.db).toBe(42);
    expect((await fileTasks(app)).size).toBe(42);
    expect((await app.api("/api/sync/held-deletions", { method: "POST", json: { deletedIn: "db", action: "restore" } })).status).toBe(200);
    await converged(app);
    expect((await apiSnapshot(app)).db.size).toBe(42);
    row.ops += 3;
    row.complete = true;
  });
});
