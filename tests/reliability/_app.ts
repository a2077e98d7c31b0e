import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import type { Task } from "@/lib/tasks/task-schema";
import { ROOT, type AppProcess } from "../_support/app-process";
import { readYamlSide, type SqlReader, type SyncSnapshot } from "../_support/invariants";

/** Shared helpers of the reliability suites: real processes, real databases, bounded waits. */

export const WORKERS = path.join(import.meta.dirname, "_workers");

/** Polls `check` until it returns a truthy value or the deadline passes (then throws, naming `what`). */
export async function waitFor<T>(check: () => Promise<T> | T, what: string, timeoutMs = 20_000, everyMs = 25): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export interface Worker {
  child: ChildProcess;
  output(): string;
  /** Exit code, or null when killed by a signal. */
  exited: Promise<number | null>;
}

/** Runs `tests/reliability/_workers/<script>` in its own Node process (.mjs as is, .ts through tsx). */
export function startWorker(script: string, args: string[], env: Record<string, string> = {}): Worker {
  const loader = script.endsWith(".ts") ? ["--import", "tsx"] : [];
  const child = spawn(process.execPath, [...loader, path.join(WORKERS, script), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code, signal) => resolve(signal ? null : code)));
  return { child, output: () => output, exited };
}

/** Waits for a worker to exit 0 and returns the JSON it printed on its last line. */
export async function workerResult<T>(worker: Worker): Promise<T> {
  const code = await worker.exited;
  if (code !== 0) throw new Error(`worker exited with ${code}:\n${worker.output().slice(-4000)}`);
  const lines = worker.output().trim().split("\n");
  return JSON.parse(lines[lines.length - 1]!) as T;
}

/** A reader on a PostgreSQL database (the test's own connection, beside the server's). */
export function pgReader(url: string): SqlReader & { pool: pg.Pool; close(): Promise<void> } {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on("error", () => undefined);
  return {
    pool,
    query: async <T,>(sql: string, params: unknown[] = []) => (await pool.query(sql, params)).rows as T[],
    close: () => pool.end(),
  };
}

/** Opens the PGlite folder of a server that has stopped (one owner at a time). */
export async function pgliteReader(dataDir: string): Promise<SqlReader & { close(): Promise<void> }> {
  const db = new PGlite(path.join(dataDir, "pglite"));
  await db.waitReady;
  return {
    query: async <T,>(sql: string, params: unknown[] = []) => (await db.query<T>(sql, params)).rows,
    close: () => db.close(),
  };
}

export async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  const text = await res.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`expected JSON, got ${res.status}: ${text.slice(0, 300)}`);
  }
}

/** POST /api/sync/trigger and insist on success. */
export async function syncNow(app: AppProcess, body: Record<string, unknown> = {}) {
  const res = await app.api("/api/sync/trigger", { method: "POST", json: body });
  const result = await json<{ status: string; conflicts: number; changedTaskIds: string[]; error?: string }>(res);
  if (res.status !== 200) throw new Error(`sync failed with ${res.status}: ${JSON.stringify(result)}`);
  return result;
}

export interface OpenConflict {
  id: string;
  taskId: string;
  kind: string;
  fields: string[];
  base: Task | null;
  yaml: Task | null;
  db: Task | null;
}

export type Resolution = { resolution: "keep_yaml" | "keep_db" } | { resolution: "merge"; merged: Task };

/**
 * Resolves every open conflict with `choose`, re-reading a conflict that went stale, until
 * none is open (bounded). Returns what each task was resolved to (null: deleted).
 */
export async function resolveAllConflicts(app: AppProcess, choose: (conflict: OpenConflict, index: number) => Resolution): Promise<Map<string, { resolution: string; task: Task | null }>> {
  const outcome = new Map<string, { resolution: string; task: Task | null }>();
  for (let round = 0; round < 10; round++) {
    const { items } = await json<{ items: OpenConflict[] }>(await app.api("/api/sync/conflicts?status=open&limit=1000"));
    if (items.length === 0) return outcome;
    for (const [index, conflict] of items.entries()) {
      const body = choose(conflict, index);
      const res = await app.api(`/api/sync/conflicts/${conflict.id}/resolve`, { method: "POST", json: body });
      if (res.status === 409) continue; // stale or already closed: read again next round
      const result = await json<{ task: Task | null }>(res);
      if (res.status !== 200) throw new Error(`resolving ${conflict.taskId} failed with ${res.status}: ${JSON.stringify(result)}`);
      const target = body.resolution === "merge" ? body.merged : body.resolution === "keep_yaml" ? conflict.yaml : conflict.db;
      outcome.set(conflict.taskId, { resolution: body.resolution, task: target });
    }
  }
  throw new Error("conflicts kept reopening after 10 rounds of resolving");
}

/** Alternates keep_yaml, keep_db and a field-by-field merge (YAML's name, DB's other fields). */
export function alternateResolutions(conflict: OpenConflict, index: number): Resolution {
  const mode = index % 3;
  if (mode === 2 && conflict.yaml && conflict.db) return { resolution: "merge", merged: { ...conflict.db, name: conflict.yaml.name } };
  return { resolution: mode === 1 ? "keep_db" : "keep_yaml" };
}

/** Lines of the server's output that must never appear: crashes the process survived by luck. */
export function crashLines(output: string): string[] {
  return output.split("\n").filter((line) => /uncaughtException|unhandledRejection|Unhandled|FATAL ERROR/i.test(line));
}

export async function fileOrNull(file: string): Promise<Buffer | null> {
  try {
    return await fs.readFile(file);
  } catch {
    return null;
  }
}

/** A snapshot read through the API (for PGlite, whose folder only the server may open): no base. */
export async function apiSnapshot(app: AppProcess, yamlPath = app.yamlPath): Promise<SyncSnapshot> {
  const db: SyncSnapshot["db"] = new Map();
  for (let offset = 0; ; offset += 1000) {
    const page = await json<{ items: (Task & { version: number })[]; total: number }>(await app.api(`/api/tasks?limit=1000&offset=${offset}`));
    for (const t of page.items) db.set(t.id, t);
    if (offset + 1000 >= page.total) break;
  }
  const { items } = await json<{ items: SyncSnapshot["open"] }>(await app.api("/api/sync/conflicts?status=open&limit=1000"));
  return { ...(await readYamlSide(yamlPath)), db, base: null, open: items };
}

/** A hand edit of one field, saved in place the way a plain editor does (not atomic, no lock). */
export async function handEdit(yamlPath: string, id: string, field: string, value: unknown): Promise<void> {
  const { parseDocument } = await import("yaml");
  const doc = parseDocument(await fs.readFile(yamlPath, "utf8"));
  doc.setIn(["tasks", id, field], value);
  await fs.writeFile(yamlPath, String(doc));
}

/**
 * Holds a PostgreSQL table lock in a transaction of the test's own, so that a server's sync
 * transaction that needs to write that table blocks at a known point. `waitBlocked`
 * resolves once someone else is waiting for the lock.
 */
export async function holdTableLock(pool: pg.Pool, table: string) {
  const client = await pool.connect();
  client.on("error", () => undefined);
  await client.query("BEGIN");
  await client.query(`LOCK TABLE ${table} IN EXCLUSIVE MODE`);
  let released = false;
  return {
    waitBlocked: (timeoutMs = 20_000) =>
      waitFor(async () => {
        const { rows } = await pool.query(`SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND relation = $1::regclass`, [table]);
        return rows[0].n > 0;
      }, `a transaction blocked on ${table}`, timeoutMs),
    release: async () => {
      if (released) return;
      released = true;
      await client.query("COMMIT").catch(() => undefined);
      client.release();
    },
  };
}
