import fs from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createScheduleStore } from "@/lib/yaml";
import { DB_KINDS } from "../_support/databases";
import { assertConverged, convergenceViolations, expectConverged } from "../_support/invariants";
import { alternateResolutions, crashLines, resolveAllConflicts, syncNow } from "./_app";
import { startCluster, workerResult, type Cluster } from "./_cluster";
import { scenarioSummaries } from "./_summary";
import { judgeMixedEdits, planMixedEdits, seededIds, seedTask, type ApiOp, type ApiResult, type EditorResult } from "./_mixed-edits";

/**
 * Issue #7, scenario 4: conflict detection under load. Hundreds of tasks, edited in the YAML
 * and through the API by several processes while another keeps syncing every instance: one
 * round where the edits are simultaneous by construction (every overlap must become a
 * conflict), then rounds interleaved at random (every write must be accounted for). Then all
 * conflicts are resolved and the sides converge.
 */

// CONFLICT_PER_GROUP × 11 groups tasks per round; CONFLICT_ROUNDS rounds (the first simultaneous).
const PER_GROUP = Number(process.env.CONFLICT_PER_GROUP ?? 20);
const ROUNDS = Number(process.env.CONFLICT_ROUNDS ?? 3);
const CLIENTS = 3;

describe.each(DB_KINDS)("conflicts under load on %s", (kind) => {
  const scenario = scenarioSummaries();
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster(kind, { env: { SYNC_WATCH: "off" } });
  });
  afterAll(async () => {
    const reader = await cluster?.stop();
    await reader?.close();
    await cluster?.remove();
  });

  async function runApi(ops: ApiOp[], seed: number, maxPauseMs: number): Promise<ApiResult[]> {
    const lists: ApiOp[][] = Array.from({ length: CLIENTS }, () => []);
    ops.forEach((op, i) => lists[i % CLIENTS]!.push(op));
    const workers = await Promise.all(lists.map((list, k) => cluster.worker("api-client.mjs", { mode: "ops", url: cluster.app(k).url, ops: list, seed: seed + k, maxPauseMs })));
    return (await Promise.all(workers.map((w) => workerResult<{ results: ApiResult[] }>(w)))).flatMap((r) => r.results);
  }

  it(`${ROUNDS} rounds over ${seededIds(PER_GROUP).length * ROUNDS}+ tasks: every overlap of a simultaneous round is a conflict, no write of any round is lost`, async () => {
    const row = scenario(`${kind} scenario 4: conflicts under load (${CLIENTS} API clients on ${cluster.apps.length} instance(s), a YAML editor, a sync loop)`);
    const store = createScheduleStore({ path: cluster.yamlPath, keepBackups: 0 });
    const seeded = Array.from({ length: ROUNDS }, (_, round) => seededIds(PER_GROUP, round)).flat();
    await store.write({ upsert: seeded.map(seedTask) });
    await syncNow(cluster.app(0));
    const versions = new Map([...(await cluster.snapshot()).db].map(([id, t]) => [id, t.version]));
    expect(versions.size).toBe(seeded.length);

    const judged = [];
    for (let round = 0; round < ROUNDS; round++) {
      const plan = planMixedEdits(PER_GROUP, versions, round);
      let api: ApiResult[];
      let edited: { results: EditorResult[] };
      let syncs = { runs: 0, statuses: {} as Record<string, number> };
      if (round === 0) {
        // Simultaneous: the hand edits are saved in one go, then the API writes arrive before any sync.
        edited = await workerResult(await cluster.worker("yaml-editor.mjs", { path: cluster.yamlPath, ops: plan.editor, batch: plan.editor.length }));
        api = await runApi(plan.api, 1000, 0);
      } else {
        const stopFile = `${cluster.dir}/stop-${round}`;
        const loop = await cluster.worker("api-client.mjs", { mode: "sync-loop", url: cluster.app(0).url, urls: cluster.apps.map((a) => a.url), stopFile, max: 5000, maxPauseMs: 10, seed: round });
        // The editor works through its tasks from the other end, so some pairs meet with the
        // API first, some with the YAML first, and some in between.
        const editor = await cluster.worker("yaml-editor.mjs", { path: cluster.yamlPath, ops: [...plan.editor].reverse(), batch: 2, maxPauseMs: 50, seed: round * 7 });
        [api, edited] = await Promise.all([runApi(plan.api, 1000 * (round + 1), 30), workerResult<{ results: EditorResult[] }>(editor)]);
        await fs.writeFile(stopFile, "");
        syncs = await workerResult(loop);
        expect(Object.keys(syncs.statuses).filter((s) => s !== "200" && s !== "503"), JSON.stringify(syncs.statuses)).toEqual([]);
      }
      await syncNow(cluster.app(0));
      const snap = await cluster.snapshot();
      row.ops += plan.api.length + plan.editor.length + syncs.runs + 1;
      if (!snap.yaml) row.corrupt++;
      expect(snap.yaml, snap.yamlIssues.join("; ")).not.toBeNull();
      const judgement = judgeMixedEdits(plan, api, edited.results, snap);
      row.lost += judgement.lost.length;
      // Overlapping edits on purpose: the conflicts the scenario provokes.
      row.injected += judgement.counts.conflict ?? 0;
      expect(judgement.lost, `round ${round}: writes not accounted for`).toEqual([]);
      if (round === 0) {
        const overlapping = plan.ids.filter(({ group }) => ["s", "yd", "dy", "bc"].includes(group));
        expect(judgement.counts.conflict, "every simultaneous overlap is a conflict").toBe(overlapping.length);
      }
      judged.push({ round, tasks: plan.ids.length, apiWrites: plan.api.length, yamlWrites: plan.editor.length, syncRuns: syncs.runs, ...judgement.counts });
    }

    const resolved = await resolveAllConflicts(cluster.app(0), alternateResolutions);
    await syncNow(cluster.app(0));
    const final = await cluster.snapshot();
    row.ops += resolved.size + 1;
    row.corrupt += convergenceViolations(final).length;
    const after = assertConverged(final);
    for (const [id, { task }] of resolved) {
      if (task === null) expect(after.db.has(id), id).toBe(false);
      else expect(after.db.get(id), id).toMatchObject(task);
    }
    console.info(`[reliability] ${kind} scenario 4: ${JSON.stringify(judged)}; ${resolved.size} conflicts resolved; ${after.db.size} tasks converged`);
    row.detail.push(`ops = API writes + YAML edits + sync runs + resolutions over ${ROUNDS} rounds; injected = overlapping edits that became conflicts (${resolved.size} resolved); ${after.db.size} tasks converged`);
    row.complete = true;
  });

  it("leaves YAML == DB == base on disk, and no server printed a crash", async () => {
    const outputs = () => cluster.apps.flatMap((app) => crashLines(app.output()));
    if (cluster.reader) {
      await expectConverged(cluster.reader, cluster.yamlPath);
      expect(outputs()).toEqual([]);
      return;
    }
    const reader = await cluster.stop();
    try {
      await expectConverged(reader!, cluster.yamlPath);
    } finally {
      await reader!.close();
    }
    expect(outputs()).toEqual([]);
  });
});
