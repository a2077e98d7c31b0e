/**
 * A separate process writing through the store, for the concurrency and crash tests.
 *
 *   node --import tsx tests/yaml/_store-worker.ts write <path> <worker> <count>
 *   node --import tsx tests/yaml/_store-worker.ts hang-before-rename <path> <id>
 *
 * `hang-before-rename` prints `READY <temp path>` once the temp file is written and synced, then
 * waits forever (holding the lock) until it is killed.
 */
import { createScheduleStore } from "../../lib/yaml";
import { makeTaskForWorker } from "./_worker-task";

const [mode, path, arg1, arg2] = process.argv.slice(2);
if (!mode || !path || !arg1) {
  console.error("usage: _store-worker.ts <write|hang-before-rename> <path> ...");
  process.exit(2);
}

if (mode === "write") {
  const worker = arg1;
  const count = Number(arg2);
  const store = createScheduleStore({ path, keepBackups: 2 });
  for (let i = 0; i < count; i++) {
    await store.write({ upsert: [makeTaskForWorker(`w${worker}-${i}`)], metadata: { sync_source: "db" } });
  }
  process.stdout.write(`DONE ${count}\n`);
} else if (mode === "hang-before-rename") {
  const store = createScheduleStore({
    path,
    lockStaleMs: 2000,
    beforeRename: async (tempPath) => {
      process.stdout.write(`READY ${tempPath}\n`);
      await new Promise(() => setInterval(() => {}, 1000));
    },
  });
  await store.write({ upsert: [makeTaskForWorker(arg1)] });
} else {
  console.error(`unknown mode ${mode}`);
  process.exit(2);
}
