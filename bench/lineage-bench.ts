/**
 * The cost of file lineage (issue #17) at 10,000 and 50,000 tasks, on PGlite and PostgreSQL:
 *   npx tsx bench/lineage-bench.ts [--sizes=10000,50000] [--dbs=pglite,postgresql] [--revisions=200]
 * A database holds a first revision of every task and then `revisions` one-task revisions (the
 * window full). Measured (medians): appending a one-task revision (the delta row, the head, the
 * pruning), its bytes; identifying the ancestor of a stale file (the deltas read and scored: what
 * a changed file costs); reading the head's tasks (what a full compare costs).
 */
import { randomUUID } from "node:crypto";
import { createDatabase, type Database, type DbKind } from "../lib/db/create-database";
import { migrate } from "../lib/db/migrate";
import { findAncestor } from "../lib/sync/reconcile/lineage";
import { createSqlSyncStorage } from "../lib/sync/storage/sql-sync-storage";
import { DEFAULT_REVISION_LIMITS, type RevisionWrite } from "../lib/sync/storage/sync-storage";
import { taskDigest } from "../lib/sync/storage/task-digest";
import { normalizeTask, type Task } from "../lib/tasks/task-schema";
import { createPostgresDatabase } from "../tests/_support/databases";
import { stats, timed } from "./stats";

const args = Object.fromEntries(process.argv.slice(2).map((arg) => arg.replace(/^--/, "").split("=") as [string, string]));
const sizes = (args.sizes ?? "10000,50000").split(",").filter(Boolean).map(Number);
const dbs = (args.dbs ?? "pglite,postgresql").split(",").filter(Boolean) as DbKind[];
const windowSize = Number(args.revisions ?? 200);
const samples = 15;

const task = (i: number, version = 0): Task =>
  normalizeTask({ id: `task-${String(i).padStart(5, "0")}`, name: `Task ${i}`, schedule: "0 * * * *", command: `/opt/run.sh --job ${i} --v ${version}`, tags: ["ops"] });
const revision = (changes: RevisionWrite["changes"], size: number): RevisionWrite => ({
  id: randomUUID(),
  runId: null,
  source: "db",
  checksum: `sha256:${randomUUID()}`,
  taskCount: size,
  ancestorId: null,
  changes,
});

async function open(kind: DbKind): Promise<{ db: Database; drop(): Promise<void> }> {
  if (kind === "pglite") {
    const db = await createDatabase({ pgliteDir: "memory://" });
    await migrate(db);
    return { db, drop: () => db.close() };
  }
  const created = await createPostgresDatabase();
  const db = await createDatabase({ databaseUrl: created.url });
  await migrate(db);
  return { db, drop: async () => (await db.close(), await created.drop()) };
}

console.log("| tasks | db | append a one-task revision p50 | its rows (bytes) | identify the ancestor p50 | read the head (all tasks) p50 |");
console.log("| --- | --- | --- | --- | --- | --- |");
for (const size of sizes) {
  for (const kind of dbs) {
    const { db, drop } = await open(kind);
    try {
      const storage = createSqlSyncStorage(db);
      const limits = { ...DEFAULT_REVISION_LIMITS, keep: windowSize };
      const current = Array.from({ length: size }, (_, i) => task(i));
      await storage.transaction((tx) => tx.insertRevision(revision(current.map((t) => ({ taskId: t.id, before: null, after: t })), size), limits));
      let n = 0;
      const edit = async () => {
        const i = (n * 7919) % size;
        const next = task(i, ++n);
        const change = { taskId: next.id, before: current[i]!, after: next };
        current[i] = next;
        await storage.transaction((tx) => tx.insertRevision(revision([change], size), limits));
      };
      // An editor's buffer read now, before the window fills with one-task dashboard edits.
      const stale = new Map(current.map((t) => [t.id, t]));
      for (let i = 0; i < windowSize; i++) await edit();
      const append: number[] = [];
      for (let i = 0; i < samples; i++) append.push(await timed(edit));
      const [{ bytes }] = await db.query<{ bytes: number }>(
        `SELECT (SELECT pg_column_size(r.*) FROM sync_revisions r ORDER BY seq DESC LIMIT 1)
              + (SELECT sum(pg_column_size(c.*)) FROM sync_revision_changes c WHERE revision_seq = (SELECT max(seq) FROM sync_revisions))::int AS bytes`,
      );
      const latest = (await storage.reads.latestRevision())!;
      const identify: number[] = [];
      let found = "";
      for (let i = 0; i < samples; i++) {
        identify.push(
          await timed(async () => {
            const deltas = await storage.reads.loadRevisionDigests();
            found = findAncestor({
              latestId: latest.id,
              deltas,
              file: (id) => {
                const t = stale.get(id) ?? null;
                return { task: t, digest: taskDigest(t) };
              },
            }).id;
          }),
        );
      }
      const head: number[] = [];
      for (let i = 0; i < 5; i++) head.push(await timed(() => storage.reads.loadRevisionTasks(null)));
      const oldest = (await storage.reads.listRevisions({ limit: 1000 })).at(-1)!;
      if (found !== oldest.id) throw new Error(`the stale file's ancestor should be the oldest kept revision`);
      const p50 = (values: number[]) => `${stats(values).median.toFixed(1)} ms`;
      console.log(`| ${size.toLocaleString("en-US")} | ${kind} | ${p50(append)} | ${bytes} | ${p50(identify)} | ${p50(head)} |`);
    } finally {
      await drop();
    }
  }
}
