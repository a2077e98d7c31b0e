import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppProcess, type AppProcess } from "../_support/app-process";
import { DB_KINDS } from "../_support/databases";
import { backup, health, report, useSuiteDatabase, yamlOf } from "../_support/engine-harness";
import { convergenceViolations } from "../_support/invariants";
import { apiSnapshot, crashLines, syncNow } from "./_app";
import { fuzzApi, type FuzzTally } from "./_api-fuzz";
import { checkSyncInvariant, type InvariantStats } from "./_engine-property";
import { scenarioSummaries } from "./_summary";

/**
 * The properties of the default suite with many more runs and other seeds (FUZZ_SEED to
 * replay one): the sync invariant over the engine on both databases, and the API fuzz
 * against a real server on PGlite (the default suite fuzzes one on PostgreSQL).
 */
const seed = Number(process.env.FUZZ_SEED ?? 424242);

const INVARIANT_RUNS = Number(process.env.FUZZ_INVARIANT_RUNS ?? process.env.FUZZ_RUNS ?? 200);
const API_RUNS = Number(process.env.FUZZ_API_RUNS ?? process.env.FUZZ_RUNS ?? 1000);

describe.each(DB_KINDS)("the sync invariant, long run, on %s", (kind) => {
  const scenario = scenarioSummaries();
  const suite = useSuiteDatabase(kind);
  beforeAll(() => suite.open());
  afterAll(() => suite.drop());

  it(`holds for ${INVARIANT_RUNS} random sequences`, async () => {
    const row = scenario(`${kind} sync invariant, ${INVARIANT_RUNS} random sequences (seed ${seed})`);
    const stats: InvariantStats = { ops: 0, injected: 0, violated: 0 };
    try {
      expect(await checkSyncInvariant(suite.db, { runs: INVARIANT_RUNS, seed, stats })).toBeGreaterThan(0);
      row.complete = true;
    } finally {
      Object.assign(row, { ops: stats.ops, injected: stats.injected, corrupt: stats.violated });
      row.detail.push("ops = hand edits, API writes, syncs and resolutions over the real engine; injected = broken or removed files and stale-version writes; corrupt = sequences that did not converge");
    }
  });
});

describe("API fuzz, long run, on PGlite", () => {
  const scenario = scenarioSummaries();
  let app: AppProcess;
  beforeAll(async () => {
    app = await startAppProcess({ db: "pglite", yaml: yamlOf({ "daily-backup": backup, "hourly-health": health, "weekly-report": report }), env: { SYNC_WATCH: "off" } });
  });
  afterAll(async () => {
    await app?.dispose();
  });

  it(`${API_RUNS} fuzzed requests: JSON answers only, no 5xx, refusals change nothing, accepted writes converge`, async () => {
    const row = scenario(`pglite API fuzz, ${API_RUNS} requests (seed ${seed})`);
    const tally: FuzzTally = { requests: 0, refusedButChanged: 0, violations: 0 };
    try {
      const { statuses, accepted } = await fuzzApi(app, () => apiSnapshot(app), { runs: API_RUNS, seed, tally });
      row.injected = Object.entries(statuses).reduce((n, [status, count]) => n + (Number(status) >= 400 ? count : 0), 0);
      expect((await syncNow(app)).changedTaskIds).toEqual([]);
      const violations = convergenceViolations(await apiSnapshot(app));
      tally.violations += violations.length;
      expect(violations).toEqual([]);
      expect(crashLines(app.output())).toEqual([]);
      console.info(`[reliability] PGlite API fuzz: statuses ${JSON.stringify(statuses)}, ${accepted} writes accepted`);
      row.detail.push(`injected = hostile requests refused with a 4xx; corrupt = refused requests that changed something + accepted writes that broke YAML == DB == base; statuses ${JSON.stringify(statuses)}; ${accepted} writes accepted`);
      row.complete = true;
    } finally {
      Object.assign(row, { ops: tally.requests, corrupt: tally.refusedButChanged + tally.violations });
    }
  });
});
