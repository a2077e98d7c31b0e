/**
 * A separate client process hammering one server's HTTP API (reliability suites).
 *
 *   node api-client.mjs <config.json>   (plain JS: starts in a fraction of tsx's time)
 *
 * mode "counter": `increments` read-modify-write increments of the number in a task's
 *   description, each a GET then a PATCH carrying the version it read; a stale version
 *   (409) or a busy file (503) is retried. Prints {acks: {taskId: n}, retries}.
 * mode "ops": runs the listed requests in order (with a small seeded pause between them)
 *   and prints each one's status and JSON body (status 0 when the connection failed and
 *   `tolerateErrors` is set); with `progress`, a line `ANSWERED <label> <status>` per op.
 * mode "sync-loop": triggers syncs on every listed server, one after another with a seeded
 *   pause, until `stopFile` exists (at most `max` runs). Prints {runs, statuses}.
 * The last line printed is the JSON result.
 */
import fs from "node:fs/promises";

const config = JSON.parse(await fs.readFile(process.argv[2], "utf8"));
let seed = config.seed ?? 1;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function call(method, path, body, url = config.url) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${config.token}`, origin: new URL(url).origin, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = { notJson: text.slice(0, 200) };
  }
  return { status: res.status, body: parsed };
}

if (config.mode === "counter") {
  const acks = {};
  let retries = 0;
  for (let i = 0; i < config.increments; i++) {
    const id = config.taskIds[(i + config.clientId) % config.taskIds.length];
    for (let attempt = 0; ; attempt++) {
      if (attempt > 500) throw new Error(`gave up incrementing ${id}`);
      const read = await call("GET", `/api/tasks/${id}`);
      if (read.status !== 200) throw new Error(`GET ${id} answered ${read.status}: ${JSON.stringify(read.body)}`);
      const next = String(Number(read.body.description) + 1);
      const write = await call("PATCH", `/api/tasks/${id}`, { description: next, version: read.body.version });
      if (write.status === 200) {
        if (write.body.conflict) throw new Error(`unexpected conflict on ${id}: ${JSON.stringify(write.body.conflict)}`);
        acks[id] = (acks[id] ?? 0) + 1;
        break;
      }
      if (write.status === 409 && write.body?.error?.code === "stale_version") {
        retries++;
        continue;
      }
      if (write.status === 503) {
        retries++;
        await pause(5);
        continue;
      }
      throw new Error(`PATCH ${id} answered ${write.status}: ${JSON.stringify(write.body)}`);
    }
  }
  console.log(JSON.stringify({ acks, retries }));
} else if (config.mode === "sync-loop") {
  const statuses = {};
  let runs = 0;
  const stopped = () => fs.access(config.stopFile).then(() => true, () => false);
  while (runs < config.max && !(await stopped())) {
    let status;
    try {
      ({ status } = await call("POST", "/api/sync/trigger", {}, config.urls[runs % config.urls.length]));
    } catch (error) {
      if (!config.tolerateErrors) throw error;
      status = 0; // the server went away (crash tests)
    }
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (status === 0) break;
    runs++;
    if (config.maxPauseMs) await pause(Math.floor(random() * config.maxPauseMs));
  }
  console.log(JSON.stringify({ runs, statuses }));
} else {
  const results = [];
  for (const op of config.ops) {
    const max = config.maxPauseMs ?? 0;
    if (max > 0) await pause(Math.floor(random() * max));
    try {
      const { status, body } = await call(op.method, op.path, op.body);
      results.push({ label: op.label, status, body });
      if (config.progress) process.stdout.write(`ANSWERED ${op.label} ${status}\n`);
    } catch (error) {
      // The server went away (the crash tests kill it): the write's fate is unknown, say so.
      if (!config.tolerateErrors) throw error;
      results.push({ label: op.label, status: 0, body: { error: String(error) } });
    }
  }
  console.log(JSON.stringify({ results }));
}
