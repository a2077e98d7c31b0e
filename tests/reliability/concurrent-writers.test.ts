import fs from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSchedule, createScheduleStore } from "@/lib/yaml";
import type { Task } from "@/lib/tasks/task-schema";
import { DB_KINDS } from "../_support/databases";
import { assertConverged, convergenceViolations, expectConverged } from "../_support/invariants";
import { alternateResolutions, crashLines, resolveAllConflicts, syncNow } from "./_app";
import { startCluster, workerResult, type Cluster } from "./_cluster";
import { scenarioSummaries } from "./_summary";
import { judgeMixedEdits, planMixedEdits, seededIds, seedTask, type ApiOp, type ApiResult, type EditorResult } from "./_mixed-edits";

/**
 * Issue #7, scenarios 1-3 with real processes: several writers at once through the API
 * (each a separate client process; on PostgreSQL three server instances share the database
 * and the file) and a separate process editing the YAML, while the servers' watchers sync.
 */

const CLIENTS = 3;

/** Splits API ops round-robin over the client processes (client k talks to instance k). */
function splitOps(ops: ApiOp[], clients = CLIENTS): ApiOp[][] {
  const out: ApiOp[][] = Array.from({ length: clients }, () => []);
  ops.forEach((op, i) => out[i % clients]!.push(op));
  return out;
}

async function runApiClients(cluster: Cluster, ops: ApiOp[], seed: number, maxPauseMs = 20): Promise<ApiResult[]> {
  const workers = await Promise.all(
    splitOps(ops).map((list, k) => cluster.worker("api-client.mjs", { mode: "ops", url: cluster.app(k).url, ops: list, seed: seed + k, maxPauseMs })),
  );
  const results = await Promise.all(workers.map((w) => workerResult<{ results: ApiResult[] }>(w)));
  return results.flatMap((r) => r.results);
}

// Several processes per case; a loaded machine needs more than the default 30 s.
describe.each(DB_KINDS)("concurrent writers on %s", { timeout: 180_000 }, (kind) => {
  const scenario = scenarioSummaries();
  let cluster: Cluster;
  beforeAll(async () => {
    // No watcher: syncs run when a process asks (the sync loop below), so the simultaneous
    // round of scenario 3 is simultaneous by construction.
    cluster = await startCluster(kind, { env: { SYNC_WATCH: "off" } });
  }, 180_000);
  afterAll(async () => {
    const reader = await cluster?.stop();
    await reader?.close();
    await cluster?.remove();
  });

  it("(1) three API clients and a hand-editing process add tasks at once: every write lands exactly once, the file is never seen broken", async () => {
    const row = scenario(`${kind} scenario 1: ${CLIENTS} API client processes and a YAML editor add tasks at once (${cluster.apps.length} instance(s))`);
    const perWriter = 8;
    const apiOps: ApiOp[] = [];
    for (let k = 0; k < CLIENTS; k++) {
      for (let i = 0; i < perWriter; i++) {
        apiOps.push({ label: `w${k}-${i}`, method: "POST", path: "/api/tasks", body: { ...seedTask(`w${k}-${i}`), command: `/bin/w ${k} ${i}` } });
      }
    }
    const editorOps = Array.from({ length: perWriter }, (_, i) => ({
      label: `hand-${i}`,
      kind: "create" as const,
      id: `hand-${i}`,
      body: { name: `Hand ${i}`, schedule: "*/5 * * * *", command: `/bin/hand ${i}` },
    }));
    // Client k only creates the w<k>-* tasks, so each worker's ops stay in their own order.
    const byClient = Array.from({ length: CLIENTS }, (_, k) => apiOps.filter((op) => op.label.startsWith(`w${k}-`)));

    let writing = true;
    let reads = 0;
    const broken: string[] = [];
    const poller = (async () => {
      while (writing) {
        const bytes = await fs.readFile(cluster.yamlPath);
        const parsed = parseSchedule(bytes);
        reads++;
        if (!parsed.ok) broken.push(parsed.issues[0]!.message);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const stopFile = `${cluster.dir}/stop-sync-loop-1`;
    const loop = await cluster.worker("api-client.mjs", { mode: "sync-loop", url: cluster.app(0).url, urls: cluster.apps.map((a) => a.url), stopFile, max: 2000, maxPauseMs: 15, seed: 3 });
    const editor = await cluster.worker("yaml-editor.mjs", { path: cluster.yamlPath, ops: editorOps, batch: 2, maxPauseMs: 20, seed: 11 });
    const clients = await Promise.all(byClient.map((ops, k) => cluster.worker("api-client.mjs", { mode: "ops", url: cluster.app(k).url, ops, seed: 100 + k, maxPauseMs: 10 })));
    const [apiResults, editorResult] = await Promise.all([
      Promise.all(clients.map((w) => workerResult<{ results: ApiResult[] }>(w))),
      workerResult<{ results: EditorResult[] }>(editor),
    ]).finally(() => (writing = false));
    await poller;
    await fs.writeFile(stopFile, "");
    const syncs = await workerResult<{ runs: number; statuses: Record<string, number> }>(loop);
    expect(Object.keys(syncs.statuses).filter((status) => status !== "200" && status !== "503"), JSON.stringify(syncs.statuses)).toEqual([]);

    row.ops += apiOps.length + editorOps.length + syncs.runs;
    row.corrupt += broken.length;
    for (const result of apiResults.flatMap((r) => r.results)) expect(result.status, `${result.label}: ${JSON.stringify(result.body)}`).toBe(201);
    expect(editorResult.results.every((r) => r.saw === "absent")).toBe(true);
    expect(broken, `reads of the file that did not parse (out of ${reads})`).toEqual([]);
    expect(reads).toBeGreaterThan(0);

    await syncNow(cluster.app(0));
    const converged = await cluster.snapshot();
    row.corrupt += convergenceViolations(converged).length;
    const snap = assertConverged(converged);
    const expected = new Map<string, Partial<Task>>();
    for (const op of apiOps) expected.set(op.label, { command: (op.body as Task).command });
    for (const op of editorOps) expected.set(op.id, { name: op.body.name, command: op.body.command });
    const has = (task: Task | undefined, fields: Partial<Task>) => task !== undefined && Object.entries(fields).every(([k, v]) => task[k as keyof Task] === v);
    row.lost += [...expected].filter(([id, fields]) => !has(snap.db.get(id), fields) || !has(snap.yaml!.get(id), fields)).length;
    for (const [id, fields] of expected) {
      expect(snap.db.get(id), id).toMatchObject(fields);
      expect(snap.yaml!.get(id), id).toMatchObject(fields);
    }
    expect(snap.db.size).toBe(expected.size);
    expect(snap.yamlText!.startsWith("# shared by every instance\n")).toBe(true);
    console.info(`[reliability] ${kind} scenario 1: ${apiOps.length} API creations by ${CLIENTS} processes + ${editorOps.length} hand creations, ${syncs.runs} concurrent sync runs, ${reads} concurrent reads of the file; lost 0, corrupt 0`);
    row.detail.push(`ops = ${apiOps.length} API creations + ${editorOps.length} hand creations + ${syncs.runs} concurrent sync runs; no failure injected; ${reads} concurrent reads of the file, corrupt = reads that did not parse + YAML/DB/base disagreements`);
    row.complete = true;
  });

  it("(2) read-modify-write increments from three client processes lose no update: optimistic concurrency holds and the YAML ends equal to the DB", async () => {
    const row = scenario(`${kind} scenario 2: read-modify-write increments from ${CLIENTS} API client processes`);
    const ids = ["counter-a", "counter-b", "counter-c", "counter-d"];
    for (const id of ids) {
      const res = await cluster.app(0).api("/api/tasks", { method: "POST", json: { ...seedTask(id), description: "0" } });
      expect(res.status).toBe(201);
    }
    const increments = 6;
    const workers = await Promise.all(
      Array.from({ length: CLIENTS }, (_, k) => cluster.worker("api-client.mjs", { mode: "counter", url: cluster.app(k).url, taskIds: ids, increments, clientId: k })),
    );
    const results = await Promise.all(workers.map((w) => workerResult<{ acks: Record<string, number>; retries: number }>(w)));
    const acked = new Map<string, number>();
    for (const r of results) for (const [id, n] of Object.entries(r.acks)) acked.set(id, (acked.get(id) ?? 0) + n);
    expect([...acked.values()].reduce((a, b) => a + b, 0)).toBe(CLIENTS * increments);

    const retries = results.reduce((n, r) => n + r.retries, 0);
    row.ops += ids.length + CLIENTS * increments + retries;
    row.injected += retries;
    await syncNow(cluster.app(0));
    const converged = await cluster.snapshot();
    row.corrupt += convergenceViolations(converged).length;
    const snap = assertConverged(converged);
    // An increment is lost when the counter is short of what was acknowledged.
    row.lost += ids.reduce((n, id) => n + Math.max(0, (acked.get(id) ?? 0) - Number(snap.db.get(id)?.description ?? 0)), 0);
    for (const id of ids) {
      const task = snap.db.get(id)!;
      expect(task.description, `${id}: every acknowledged increment is counted once`).toBe(String(acked.get(id) ?? 0));
      expect(task.version, `${id}: one version per increment`).toBe(1 + (acked.get(id) ?? 0));
      expect(snap.yaml!.get(id)?.description).toBe(task.description);
    }
    row.detail.push(`ops = creations + acknowledged increments + stale-version retries; injected = writes refused as stale (409) and retried`);
    row.complete = true;
    console.info(`[reliability] ${kind} scenario 2: ${CLIENTS * increments} increments acknowledged after ${retries} stale-version retries; lost 0`);
  });

  it("(3) the same tasks edited in the YAML and through the API at once: overlapping edits become conflicts, every other edit lands on both sides", async () => {
    const row = scenario(`${kind} scenario 3: the same tasks edited in the YAML and through the API at once`);
    const perGroup = 2;
    const store = createScheduleStore({ path: cluster.yamlPath, keepBackups: 0 });
    await store.write({ upsert: [...seededIds(perGroup, 0), ...seededIds(perGroup, 1)].map(seedTask) });
    await syncNow(cluster.app(0));
    const versions = new Map([...(await cluster.snapshot()).db].map(([id, t]) => [id, t.version]));

    // Round 0, simultaneous by construction: the hand edits are saved, then the API writes
    // arrive before any sync has read the file, so neither side has seen the other.
    const simultaneous = planMixedEdits(perGroup, versions, 0);
    const editor0 = await cluster.worker("yaml-editor.mjs", { path: cluster.yamlPath, ops: simultaneous.editor, batch: simultaneous.editor.length });
    const edited0 = await workerResult<{ results: EditorResult[] }>(editor0);
    const api0 = await runApiClients(cluster, simultaneous.api, 300, 0);

    // Round 1, interleaved: both sides edit with random pauses while a third process keeps
    // triggering syncs on every instance, so each pair lands in whatever order it happens to.
    const interleaved = planMixedEdits(perGroup, versions, 1);
    const stopFile = `${cluster.dir}/stop-sync-loop`;
    const loop = await cluster.worker("api-client.mjs", { mode: "sync-loop", url: cluster.app(0).url, urls: cluster.apps.map((a) => a.url), stopFile, max: 2000, maxPauseMs: 15, seed: 9 });
    const editor1 = await cluster.worker("yaml-editor.mjs", { path: cluster.yamlPath, ops: interleaved.editor, batch: 2, maxPauseMs: 40, seed: 5 });
    const [api1, edited1] = await Promise.all([runApiClients(cluster, interleaved.api, 400, 40), workerResult<{ results: EditorResult[] }>(editor1)]);
    await fs.writeFile(stopFile, "");
    const syncs = await workerResult<{ runs: number; statuses: Record<string, number> }>(loop);
    expect(Object.keys(syncs.statuses).filter((status) => status !== "200" && status !== "503"), JSON.stringify(syncs.statuses)).toEqual([]);
    await syncNow(cluster.app(0));

    const snap = await cluster.snapshot();
    expect(snap.yaml, snap.yamlIssues.join("; ")).not.toBeNull();
    const judged0 = judgeMixedEdits(simultaneous, api0, edited0.results, snap);
    const judged1 = judgeMixedEdits(interleaved, api1, edited1.results, snap);
    row.ops += simultaneous.api.length + interleaved.api.length + simultaneous.editor.length + interleaved.editor.length + syncs.runs;
    row.lost += judged0.lost.length + judged1.lost.length;
    row.injected += (judged0.counts.conflict ?? 0) + (judged1.counts.conflict ?? 0);
    if (!snap.yaml) row.corrupt++;
    expect([...judged0.lost, ...judged1.lost], "writes not accounted for").toEqual([]);
    const overlapping = simultaneous.ids.filter(({ group }) => ["s", "yd", "dy", "bc"].includes(group)).map(({ id }) => id);
    expect(overlapping.filter((id) => judged0.outcomes.get(id) !== "conflict"), "simultaneous overlapping edits that did not become conflicts").toEqual([]);
    expect(judged0.counts.conflict).toBe(overlapping.length);
    // Every open conflict is one of the planned overlaps.
    for (const conflict of snap.open) expect([judged0.outcomes.get(conflict.taskId), judged1.outcomes.get(conflict.taskId)]).toContain("conflict");

    const resolved = await resolveAllConflicts(cluster.app(0), alternateResolutions);
    await syncNow(cluster.app(0));
    const final = await cluster.snapshot();
    row.ops += resolved.size;
    row.corrupt += convergenceViolations(final).length;
    const after = assertConverged(final);
    for (const [id, { task }] of resolved) {
      if (task === null) expect(after.db.has(id), id).toBe(false);
      else expect(after.db.get(id), id).toMatchObject(task);
    }
    row.detail.push(`ops = API edits + YAML edits + sync runs + resolutions; injected = overlapping edits that became conflicts (${resolved.size} resolved)`);
    row.complete = true;
    console.info(
      `[reliability] ${kind} scenario 3: ${simultaneous.api.length + interleaved.api.length} API edits, ${simultaneous.editor.length + interleaved.editor.length} YAML edits on ${simultaneous.ids.length + interleaved.ids.length} tasks, ${syncs.runs} concurrent sync runs; simultaneous ${JSON.stringify(judged0.counts)}, interleaved ${JSON.stringify(judged1.counts)}; ${resolved.size} conflicts resolved`,
    );
  });

  it("leaves YAML == DB == base on disk after the servers stop", async () => {
    const direct = cluster.reader;
    if (direct) {
      await expectConverged(direct, cluster.yamlPath);
      const outputs = cluster.apps.map((app) => crashLines(app.output())).flat();
      expect(outputs).toEqual([]);
      return;
    }
    const outputs = cluster.apps.map((app) => app.output());
    const reader = await cluster.stop();
    try {
      const snap = await expectConverged(reader!, cluster.yamlPath);
      expect(convergenceViolations(snap)).toEqual([]);
    } finally {
      await reader!.close();
    }
    expect(outputs.flatMap(crashLines)).toEqual([]);
  });
});
