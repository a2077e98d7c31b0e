import { describe, expect, it } from "vitest";
import { simulate } from "../sync-engine/_simulation";

/**
 * The convergence simulation (tests/sync-engine/_simulation.ts) at length: more seeds, longer
 * schedules and more tasks than `npm test` runs. STRESS_SIM_RUNS sets the count; a failing seed
 * prints its trace and replays with SIM_SEED in tests/sync-engine/simulation.test.ts.
 */
const RUNS = Number(process.env.STRESS_SIM_RUNS ?? 1200);

describe("the convergence simulation, long", () => {
  it(`loses no edit in ${RUNS} seeded schedules of 80 steps over 6 tasks`, async () => {
    const started = performance.now();
    let faults = 0;
    for (let seed = 100_001; seed < 100_001 + RUNS; seed++) {
      const result = await simulate({ seed, steps: 80, tasks: 6, faults: true, safetyNet: seed % 2 === 1 });
      faults += (result.counts["database outage"] ?? 0) + (result.counts["crash"] ?? 0) + (result.counts["lost commit (rolled_back)"] ?? 0) + (result.counts["lost commit (committed)"] ?? 0);
      if (result.violations.length > 0) console.error(`[simulation] seed ${seed} failed:\n  ${result.violations.join("\n  ")}\ntrace:\n  ${result.trace.join("\n  ")}`);
      expect(result.violations, `seed ${seed} (replay with SIM_SEED=${seed})`).toEqual([]);
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(`[reliability-summary] convergence simulation, long | ops ${RUNS * 80} | injected ${faults} | lost 0 | corrupt 0 | ${RUNS} schedules in ${seconds.toFixed(0)} s (${(RUNS / seconds).toFixed(0)}/s)`);
  });
});
