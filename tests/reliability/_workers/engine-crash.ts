/**
 * A process that runs one real sync (the product's engine, store and database code) and
 * freezes at a chosen point so the test can SIGKILL it there:
 *
 *   before-rename  the DB transaction has written its rows (uncommitted) and the new file
 *                  is complete in its temp file, fsynced, not yet renamed over the original;
 *   before-commit  the file has been renamed, the DB transaction has not committed.
 *
 *   node --import tsx engine-crash.ts <config.json>
 *   config: {at, yamlPath, backupDir, databaseUrl? | pgliteDir?}
 *
 * Prints `READY <at> <temp path or ->` and waits to be killed.
 */
import fs from "node:fs/promises";
import { createDatabase } from "@/lib/db/create-database";
import { createEventBus } from "@/lib/events/event-bus";
import { createSyncEngine } from "@/lib/sync/engine/sync-engine";
import { createSqlSyncStorage } from "@/lib/sync/storage/sql-sync-storage";
import type { SyncStorage } from "@/lib/sync/storage/sync-storage";
import { createScheduleStore } from "@/lib/yaml";

const config = JSON.parse(await fs.readFile(process.argv[2]!, "utf8")) as {
  at: "before-rename" | "before-commit";
  yamlPath: string;
  backupDir: string;
  databaseUrl?: string;
  pgliteDir?: string;
};

const freeze = (what: string) => {
  process.stdout.write(`READY ${config.at} ${what}\n`);
  return new Promise<never>(() => setInterval(() => undefined, 1000));
};

const db = await createDatabase({ databaseUrl: config.databaseUrl, pgliteDir: config.pgliteDir });
const sql = createSqlSyncStorage(db);
// before-commit: every transaction is held open after its work is done; the commit never comes.
const storage: SyncStorage =
  config.at === "before-commit" ? { ...sql, transaction: (work, options) => sql.transaction(async (tx) => (await work(tx), freeze("-")), options) } : sql;
const store = createScheduleStore({
  path: config.yamlPath,
  backupDir: config.backupDir,
  beforeRename: config.at === "before-rename" ? (temp) => freeze(temp) : undefined,
});
const engine = createSyncEngine({ storage, store, events: createEventBus(), autoMerge: true, log: () => undefined });
await engine.run({ trigger: "manual" });
process.stdout.write("FINISHED without freezing\n");
process.exit(3);
