import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DB_KINDS } from "../_support/databases";
import { useSuiteDatabase } from "../_support/engine-harness";
import { checkSyncInvariant } from "./_engine-property";

/**
 * Issue #7's invariant over the real engine, database and file (see _engine-property.ts):
 * after any sequence of edits, failures, syncs and resolutions, resolving everything and
 * syncing leaves YAML == DB == base, and the next sync changes nothing.
 * FUZZ_RUNS / FUZZ_SEED change the run count and seed.
 */
describe.each(DB_KINDS)("the sync invariant on %s", (kind) => {
  const suite = useSuiteDatabase(kind);
  beforeAll(() => suite.open());
  afterAll(() => suite.drop());

  it("after any sequence of edits, failures, syncs and resolutions: resolve all, sync, and YAML == DB == base; the next sync is a no-op", async () => {
    const runs = await checkSyncInvariant(suite.db, { runs: Number(process.env.FUZZ_RUNS ?? 30), seed: Number(process.env.FUZZ_SEED ?? 7262301) });
    expect(runs).toBeGreaterThan(0);
  }, 600_000);
});
