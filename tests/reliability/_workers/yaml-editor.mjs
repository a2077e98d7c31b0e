/**
 * A separate process editing the schedule file the way a careful tool (or a person with
 * an editor that respects the lock) would: take the file's lock, read, edit the Document
 * (comments kept), write a temp file, fsync, rename, release. It records what it saw of
 * each task just before editing it, so the test can tell a concurrent edit from one made
 * after seeing the other side's.
 *
 *   node yaml-editor.mjs <config.json>
 *
 * Prints {results: [{label, saw}]} as its last line; `saw` is the field's value, the whole
 * task (delete/create), or "absent".
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import lockfile from "proper-lockfile";
import { parseDocument } from "yaml";

// config: {path, ops: [{label, kind: "set"|"delete"|"create", id, field?, value?, body?}], maxPauseMs?, seed?,
//          batch? (edits per locked write, as a person saving several changes at once; default 1)}
const config = JSON.parse(await fs.readFile(process.argv[2], "utf8"));
let seed = config.seed ?? 7;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const results = [];
const batch = config.batch ?? 1;

for (let i = 0; i < config.ops.length; i += batch) {
  if (config.maxPauseMs) await pause(Math.floor(random() * config.maxPauseMs));
  const release = await lockfile.lock(config.path, {
    realpath: false,
    stale: 5000,
    retries: { retries: 2000, factor: 1.2, minTimeout: 2, maxTimeout: 30, randomize: true },
    onCompromised: (error) => {
      throw error;
    },
  });
  try {
    const text = await fs.readFile(config.path, "utf8");
    const doc = parseDocument(text);
    for (const op of config.ops.slice(i, i + batch)) {
      const current = doc.getIn(["tasks", op.id]);
      const task = current ? current.toJSON() : undefined;
      if (op.kind === "set") {
        if (!task) {
          results.push({ label: op.label, saw: "absent" });
          continue;
        }
        results.push({ label: op.label, saw: task[op.field] ?? null });
        doc.setIn(["tasks", op.id, op.field], op.value);
      } else if (op.kind === "delete") {
        results.push({ label: op.label, saw: task ?? "absent" });
        doc.deleteIn(["tasks", op.id]);
      } else {
        results.push({ label: op.label, saw: task ?? "absent" });
        doc.setIn(["tasks", op.id], doc.createNode(op.body));
      }
    }
    const temp = path.join(path.dirname(config.path), `${path.basename(config.path)}.${randomBytes(4).toString("hex")}.editor~`);
    const handle = await fs.open(temp, "wx");
    await handle.writeFile(String(doc));
    await handle.sync();
    await handle.close();
    await fs.rename(temp, config.path);
  } finally {
    await release();
  }
}
console.log(JSON.stringify({ results }));
