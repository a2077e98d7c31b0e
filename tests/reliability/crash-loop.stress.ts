import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbKind } from "@/lib/db/create-database";
import { startAppProcess, TEST_TOKEN, type AppProcess } from "../_support/app-process";
import { createPostgresDatabase, DB_KINDS } from "../_support/databases";
import { backup, yamlOf } from "../_support/engine-harness";
import { assertConverged, convergenceViolations, snapshot, type SyncSnapshot } from "../_support/invariants";
import { alternateResolutions, apiSnapshot, crashLines, pgliteReader, pgReader, resolveAllConflicts, startWorker, syncNow, waitFor, workerResult, type Worker } from "./_app";
import type { ApiOp, ApiResult, EditorResult } from "./_mixed-edits";
import { scenarioSummaries } from "./_summary";

/**
 * Issue #7, scenario 5 as a loop: a server under load (API writes from a client process,
 * hand edits from an editor process, syncs from a third, the file watcher on) is SIGKILLed
 * (or, every other time, sent SIGTERM, after which it must exit 0) at a seeded moment,
 * restarted on the same data folder and database, and checked; again and again. Every acknowledged write must be on both sides after the restart, every
 * hand edit too, a write whose answer was lost must be whole or absent, and YAML == DB ==
 * base once synced.
 */

const ITERATIONS = Number(process.env.CRASH_ITERATIONS ?? 4);
const SEED = yamlOf({ "daily-backup": backup });

/** Deterministic pseudo-random numbers (the kill moments). */
function rng(seed: number) {
  let state = seed;
  return () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
}

interface Expected {
  /** The task's fields after the last acknowledged write, or null when none was. */
  acked: Record<string, unknown> | null;
  /** States a write whose answer was lost may have left. */
  maybe: Record<string, unknown>[];
}

function opsFor(iteration: number): ApiOp[] {
  const ops: ApiOp[] = [];
  for (let k = 0; k < 30; k++) {
    const id = `api-${iteration}-${k}`;
    ops.push({ label: id, method: "POST", path: "/api/tasks", body: { ...backup, id, command: `/bin/api ${iteration} ${k}` } });
    if (k >= 5) {
      const earlier = `api-${iteration}-${k - 5}`;
      ops.push({ label: earlier, method: "PATCH", path: `/api/tasks/${earlier}`, body: { description: `patched ${iteration} ${k}` } });
    }
  }
  return ops;
}

async function worker(dir: string, script: string, config: Record<string, unknown>): Promise<Worker> {
  const file = path.join(dir, `${script}-${Math.random().toString(36).slice(2)}.json`);
  await fs.writeFile(file, JSON.stringify({ token: TEST_TOKEN, ...config }));
  return startWorker(script, [file]);
}

describe.each(DB_KINDS)("crash loop on %s", (kind: DbKind) => {
  const scenario = scenarioSummaries();
  let dir: string;
  let database: { url: string; drop(): Promise<void> } | null = null;
  let app: AppProcess;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "schedule-sync-crash-loop-"));
    if (kind === "postgresql") database = await createPostgresDatabase();
  });
  afterAll(async () => {
    await app?.stop("SIGKILL");
    await database?.drop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it(`${ITERATIONS} stops at random moments under load (SIGKILL, and SIGTERM every other time): acknowledged writes and hand edits survive, nothing is half-written, the sides converge`, async () => {
    const row = scenario(`${kind} crash loop: ${ITERATIONS} stops under load (CRASH_ITERATIONS)`);
    const random = rng(kind === "pglite" ? 11 : 23);
    const expected = new Map<string, Expected>();
    const handEdits = new Map<string, string>();
    const env = { SYNC_DEBOUNCE_MS: "30" };
    app = await startAppProcess({ db: kind, dir, databaseUrl: database?.url, yaml: SEED, env });
    const summary: string[] = [];
    for (let iteration = 0; iteration < ITERATIONS; iteration++) {
      const ops = opsFor(iteration);
      const stopFile = path.join(dir, `stop-${iteration}`);
      const editorOps = Array.from({ length: 12 }, (_, k) => ({ label: `hand-${iteration}-${k}`, kind: "create", id: `hand-${iteration}-${k}`, body: { name: `Hand ${iteration} ${k}`, schedule: "*/5 * * * *", command: "/bin/hand" } }));
      // Warm the routes up, so the kill lands among writes rather than before the first.
      expect((await app.api("/api/tasks/daily-backup", { method: "PATCH", json: { enabled: iteration % 2 === 0 } })).status).toBe(200);
      const client = await worker(dir, "api-client.mjs", { mode: "ops", url: app.url, ops, seed: iteration, maxPauseMs: 8, tolerateErrors: true, progress: true });
      const editor = await worker(dir, "yaml-editor.mjs", { path: app.yamlPath, ops: editorOps, maxPauseMs: 40, seed: iteration });
      const loop = await worker(dir, "api-client.mjs", { mode: "sync-loop", url: app.url, urls: [app.url], stopFile, max: 10_000, maxPauseMs: 20, seed: iteration, tolerateErrors: true });
      // Kill after a seeded number of answered writes plus a seeded few milliseconds.
      const answered = 1 + Math.floor(random() * (ops.length - 5));
      const jitter = Math.floor(random() * 40);
      await waitFor(() => (client.output().match(/^ANSWERED /gm)?.length ?? 0) >= answered || client.child.exitCode !== null, `${answered} answered writes`, 60_000, 5);
      await new Promise((resolve) => setTimeout(resolve, jitter));
      // Every other time a graceful stop (SIGTERM during the load): it must exit 0.
      const signal = iteration % 2 === 1 ? "SIGTERM" : "SIGKILL";
      row.injected++;
      const code = await app.stop(signal);
      if (signal === "SIGTERM") expect(code, app.output().slice(-2000)).toBe(0);
      const delay = `${signal} after ${answered} answers + ${jitter}`;
      await fs.writeFile(stopFile, "");
      const [api, edited, syncLoop] = await Promise.all([
        workerResult<{ results: ApiResult[] }>(client),
        workerResult<{ results: EditorResult[] }>(editor),
        workerResult<{ runs: number }>(loop),
      ]);
      row.ops += api.results.length + edited.results.length + syncLoop.runs;

      // What each write's answer says about the task (the client answers in op order).
      const apiResults = api.results;
      let resultIndex = 0;
      for (const op of ops) {
        const result = apiResults[resultIndex++]!;
        const entry = expected.get(op.label) ?? { acked: null, maybe: [] };
        const fields = op.method === "POST" ? { command: (op.body as { command: string }).command, description: null } : { description: (op.body as { description: string }).description };
        if (result.status === 200 || result.status === 201) {
          entry.acked = { ...(entry.acked ?? {}), ...fields };
          entry.maybe = [];
        } else if (result.status === 0) {
          entry.maybe.push({ ...(entry.acked ?? {}), ...fields });
        } else if (result.status === 503 && (result.body as { error?: { code?: string } })?.error?.code === "shutting_down") {
          // Refused by a server that is shutting down: nothing was written.
        } else if (!(op.method === "PATCH" && result.status === 404 && entry.acked === null)) {
          throw new Error(`${op.method} ${op.label} answered ${result.status}: ${JSON.stringify(result.body)}`);
        }
        expected.set(op.label, entry);
      }
      for (const r of edited.results) handEdits.set(r.label, `Hand ${r.label.split("-").slice(1).join(" ")}`);

      app = await startAppProcess({ db: kind, dir, databaseUrl: database?.url, env });
      await syncNow(app);
      await resolveAllConflicts(app, alternateResolutions);
      await syncNow(app);
      let snap: SyncSnapshot;
      if (database) {
        const reader = pgReader(database.url);
        snap = await snapshot(reader, app.yamlPath).finally(() => reader.close());
      } else {
        snap = await apiSnapshot(app);
      }
      const violations = convergenceViolations(snap);
      row.corrupt += violations.length;
      expect(violations, `iteration ${iteration}`).toEqual([]);

      const problems: string[] = [];
      for (const [id, entry] of expected) {
        const task = snap.db.get(id) as unknown as Record<string, unknown> | undefined;
        const matches = (want: Record<string, unknown>) => task !== undefined && Object.entries(want).every(([k, v]) => task[k] === v);
        if (entry.acked && !matches(entry.acked) && !entry.maybe.some(matches)) {
          problems.push(`${id}: acknowledged ${JSON.stringify(entry.acked)}, found ${JSON.stringify(task ?? null)}`);
          row.lost++;
        }
        if (!entry.acked && task && !entry.maybe.some(matches)) {
          problems.push(`${id}: never acknowledged, found a state no write made: ${JSON.stringify(task)}`);
          row.corrupt++;
        }
      }
      for (const [id, name] of handEdits) {
        if (snap.db.get(id)?.name !== name || snap.yaml?.get(id)?.name !== name) {
          problems.push(`${id}: the hand edit is missing`);
          row.lost++;
        }
      }
      expect(problems, `iteration ${iteration} (${delay} ms)`).toEqual([]);
      const stray = (await fs.readdir(path.dirname(app.yamlPath))).filter((name) => name.endsWith(".tmp"));
      if (stray.length > 0) summary.push(`#${iteration}: temp files after the restart: ${stray.join(", ")}`);
      const acked = apiResults.filter((r) => r.status === 200 || r.status === 201).length;
      summary.push(`#${iteration}: ${delay} ms, ${acked}/${ops.length} API writes acknowledged, ${apiResults.filter((r) => r.status === 0).length} unanswered, ${apiResults.filter((r) => r.status === 503).length} refused while shutting down, ${edited.results.length} hand edits`);
    }
    expect(crashLines(app.output())).toEqual([]);
    await app.stop();
    const reader = database ? pgReader(database.url) : await pgliteReader(app.dataDir);
    const final = await snapshot(reader, app.yamlPath).finally(() => reader.close());
    row.corrupt += convergenceViolations(final).length;
    assertConverged(final);
    console.info(`[reliability] ${kind} crash loop: ${summary.join("; ")}; lost 0, corrupt 0`);
    row.detail.push(`ops = API writes + hand edits + sync requests; injected = ${Math.ceil(ITERATIONS / 2)} SIGKILL + ${Math.floor(ITERATIONS / 2)} SIGTERM under load, each followed by a restart on the same data`);
    row.complete = true;
  });
});
