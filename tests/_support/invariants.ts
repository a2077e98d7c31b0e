import fs from "node:fs/promises";
import path from "node:path";
import type { ConflictRecord } from "@/lib/sync/storage/sync-storage";
import { taskOf } from "@/lib/tasks/stored-task";
import { tasksEqual, type Task } from "@/lib/tasks/task-schema";
import { parseSchedule } from "@/lib/yaml";
import { tempFilePattern } from "@/lib/yaml/store/atomic-write-file";

/**
 * The invariant checker of the reliability suites (issue #7): reads the three sides of a
 * sync straight from their storage (the YAML file's bytes, the `tasks` and `sync_base`
 * tables, the open conflicts) and says, in plain sentences, everything that keeps them
 * from agreeing. After any sequence of edits, crashes and failures, once every conflict is
 * resolved and a sync has run: YAML tasks == DB tasks == base, no open conflict, the file
 * valid, and no temp file or lock left behind.
 */

/** Anything that runs one parameterized SQL statement: a `Database`, a PGlite, a pg client wrapper. */
export interface SqlReader {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface SyncSnapshot {
  /** null when the file is missing. */
  yamlText: string | null;
  /** Parsed tasks, or null when the file is missing or invalid. */
  yaml: Map<string, Task> | null;
  yamlIssues: string[];
  db: Map<string, Task & { version: number }>;
  /** null when read through the API (the base is not exposed there). */
  base: Map<string, Task> | null;
  open: ConflictRecord[];
  /** Server temp files (`.<name>.<pid>.<hex>.tmp`) and the lock folder found next to the file. */
  leftovers: string[];
}

const TASK_SQL = `SELECT coalesce(json_agg(r ORDER BY r.id), '[]')::text AS json FROM (
  SELECT id, name, schedule, timezone, command, enabled, description, coalesce(tags, '{}') AS tags, version FROM tasks) r`;
const BASE_SQL = `SELECT coalesce(json_agg(data ORDER BY task_id), '[]')::text AS json FROM sync_base`;
const OPEN_SQL = `SELECT coalesce(json_agg(r), '[]')::text AS json FROM (
  SELECT id, task_id AS "taskId", kind, status, base, yaml, db, coalesce(fields, '{}') AS fields
  FROM conflicts WHERE status = 'open' ORDER BY task_id) r`;

async function jsonRows<T>(db: SqlReader, sql: string): Promise<T[]> {
  const [row] = await db.query<{ json: string }>(sql);
  return JSON.parse(row!.json) as T[];
}

/** Larger files are reported invalid without being parsed (the product refuses them anyway). */
const MAX_CHECKED_BYTES = 20 * 1024 * 1024;

/** Reads the YAML file and what lies next to it. */
export async function readYamlSide(yamlPath: string): Promise<Pick<SyncSnapshot, "yamlText" | "yaml" | "yamlIssues" | "leftovers">> {
  let bytes: Buffer | null = null;
  try {
    bytes = await fs.readFile(yamlPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  let yaml: Map<string, Task> | null = null;
  let yamlIssues: string[] = [];
  if (bytes && bytes.byteLength > MAX_CHECKED_BYTES) {
    yamlIssues = [`the file is ${bytes.byteLength} bytes, too large to check`];
  } else if (bytes) {
    const parsed = parseSchedule(bytes, { maxBytes: MAX_CHECKED_BYTES });
    if (parsed.ok) yaml = parsed.tasks;
    else yamlIssues = parsed.issues.map((i) => `${i.line}:${i.column} ${i.message}`);
  }
  const name = path.basename(yamlPath);
  const pattern = tempFilePattern(name);
  let entries: string[] = [];
  try {
    entries = await fs.readdir(path.dirname(yamlPath));
  } catch {
    entries = [];
  }
  return {
    yamlText: bytes ? bytes.toString("utf8") : null,
    yaml,
    yamlIssues,
    leftovers: entries.filter((e) => pattern.test(e) || e === `${name}.lock`),
  };
}

/** Reads YAML, DB, base and open conflicts as they are stored right now. */
export async function snapshot(db: SqlReader, yamlPath: string): Promise<SyncSnapshot> {
  const [yamlSide, tasks, base, open] = await Promise.all([
    readYamlSide(yamlPath),
    jsonRows<Task & { version: number }>(db, TASK_SQL),
    jsonRows<Task>(db, BASE_SQL),
    jsonRows<ConflictRecord>(db, OPEN_SQL),
  ]);
  return {
    ...yamlSide,
    db: new Map(tasks.map((t) => [t.id, { ...taskOf(t), version: t.version }])),
    base: new Map(base.map((t) => [t.id, taskOf(t)])),
    open,
  };
}

/** Every difference between two task maps, one sentence each (ids sorted). */
export function taskMapDifferences(leftName: string, left: ReadonlyMap<string, Task>, rightName: string, right: ReadonlyMap<string, Task>): string[] {
  const out: string[] = [];
  const ids = [...new Set([...left.keys(), ...right.keys()])].sort();
  for (const id of ids) {
    const a = left.get(id);
    const b = right.get(id);
    if (!a) out.push(`${id}: in ${rightName}, missing from ${leftName}`);
    else if (!b) out.push(`${id}: in ${leftName}, missing from ${rightName}`);
    else if (!tasksEqual(taskOf(a), taskOf(b))) out.push(`${id}: ${leftName} ${JSON.stringify(taskOf(a))} != ${rightName} ${JSON.stringify(taskOf(b))}`);
  }
  return out;
}

/**
 * What keeps a snapshot from being converged; empty when YAML == DB == base, nothing is
 * open, the file is valid and nothing is left behind.
 */
export function convergenceViolations(s: SyncSnapshot, options: { allowLeftovers?: boolean } = {}): string[] {
  const out: string[] = [];
  if (s.yamlText === null) out.push("the YAML file is missing");
  else if (!s.yaml) out.push(`the YAML file is invalid: ${s.yamlIssues.slice(0, 3).join("; ")}`);
  if (s.yaml) out.push(...taskMapDifferences("yaml", s.yaml, "db", s.db));
  if (s.base) out.push(...taskMapDifferences("db", s.db, "base", s.base));
  for (const c of s.open) out.push(`open ${c.kind} conflict on ${c.taskId} (fields ${c.fields.join(", ")})`);
  if (!options.allowLeftovers && s.leftovers.length > 0) out.push(`left behind next to the file: ${s.leftovers.join(", ")}`);
  return out;
}

/** Throws with every violation listed when the snapshot is not converged. */
export function assertConverged(s: SyncSnapshot, options: { allowLeftovers?: boolean } = {}): SyncSnapshot {
  const violations = convergenceViolations(s, options);
  if (violations.length > 0) {
    throw new Error(`YAML, DB and base do not agree (${violations.length} problem(s)):\n  ${violations.slice(0, 40).join("\n  ")}`);
  }
  return s;
}

/** Reads a snapshot and throws with every violation listed when it is not converged. */
export async function expectConverged(db: SqlReader, yamlPath: string, options: { allowLeftovers?: boolean } = {}): Promise<SyncSnapshot> {
  return assertConverged(await snapshot(db, yamlPath), options);
}
