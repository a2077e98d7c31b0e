import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DB_KINDS } from "../_support/databases";
import { useSuiteDatabase } from "../_support/engine-harness";
import { checkSyncInvariant, type InvariantStats } from "./_engine-property";
import { scenarioSummaries } from "./_summary";

/**
 * Issue #7's invariant over the real engine, database and file (see _engine-property.ts):
 * after any sequence of edits, failures, syncs and resolutions, resolving everything and
 * syncing leaves YAML == DB == base, and the next sync changes nothing.
 * FUZZ_RUNS / FUZZ_SEED change the run count and seed.
 */
describe.each(DB_KINDS)("the sync invariant on %s", (kind) => {
  const scenario = scenarioSummaries();
  const suite = useSuiteDatabase(kind);
  beforeAll(() => suite.open());
  afterAll(() => suite.drop());

  it("after any sequence of edits, failures, syncs and resolutions: resolve all, sync, and YAML == DB == base; the next sync is a no-op", async () => {
    const runs = Number(process.env.FUZZ_RUNS ?? 30);
    const seed = Number(process.env.FUZZ_SEED ?? 7262301);
    const row = scenario(`${kind} sync invariant, ${runs} random sequences (seed ${seed})`);
    const stats: InvariantStats = { ops: 0, injected: 0, violated: 0 };
    try {
      expect(await checkSyncInvariant(suite.db, { runs, seed, stats })).toBeGreaterThan(0);
      row.complete = true;
    } finally {
      Object.assign(row, { ops: stats.ops, injected: stats.injected, corrupt: stats.violated });
      row.detail.push("ops = hand edits, API writes, syncs and resolutions over the real engine; injected = broken or removed files and stale-version writes; corrupt = sequences that did not converge");
    }
  }, 600_000);
});
