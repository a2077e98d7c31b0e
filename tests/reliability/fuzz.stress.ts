import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppProcess, type AppProcess } from "../_support/app-process";
import { DB_KINDS } from "../_support/databases";
import { backup, health, report, useSuiteDatabase, yamlOf } from "../_support/engine-harness";
import { convergenceViolations } from "../_support/invariants";
import { apiSnapshot, crashLines, syncNow } from "./_app";
import { fuzzApi } from "./_api-fuzz";
import { checkSyncInvariant } from "./_engine-property";

/**
 * The properties of the default suite with many more runs and other seeds (FUZZ_SEED to
 * replay one): the sync invariant over the engine on both databases, and the API fuzz
 * against a real server on PGlite (the default suite fuzzes one on PostgreSQL).
 */
const seed = Number(process.env.FUZZ_SEED ?? 424242);

describe.each(DB_KINDS)("the sync invariant, long run, on %s", (kind) => {
  const suite = useSuiteDatabase(kind);
  beforeAll(() => suite.open());
  afterAll(() => suite.drop());

  it("holds for 300 random sequences", async () => {
    expect(await checkSyncInvariant(suite.db, { runs: Number(process.env.FUZZ_RUNS ?? 300), seed })).toBeGreaterThan(0);
  });
});

describe("API fuzz, long run, on PGlite", () => {
  let app: AppProcess;
  beforeAll(async () => {
    app = await startAppProcess({ db: "pglite", yaml: yamlOf({ "daily-backup": backup, "hourly-health": health, "weekly-report": report }), env: { SYNC_WATCH: "off" } });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it("1,000 fuzzed requests: JSON answers only, no 5xx, refusals change nothing, accepted writes converge", async () => {
    const { statuses, accepted } = await fuzzApi(app, () => apiSnapshot(app), { runs: Number(process.env.FUZZ_RUNS ?? 1000), seed });
    expect((await syncNow(app)).changedTaskIds).toEqual([]);
    expect(convergenceViolations(await apiSnapshot(app))).toEqual([]);
    expect(crashLines(app.output())).toEqual([]);
    console.info(`[reliability] PGlite API fuzz: statuses ${JSON.stringify(statuses)}, ${accepted} writes accepted`);
  });
});
