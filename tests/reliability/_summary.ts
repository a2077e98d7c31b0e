import { afterAll } from "vitest";
import { assertConverged, convergenceViolations, snapshot, type SqlReader, type SyncSnapshot } from "../_support/invariants";

/**
 * One line per reliability scenario, for issue #7's note: operations attempted, failures
 * injected, and what was lost or corrupt (the goal is 0). A test fills its row as it goes
 * (lost and corrupt counted before they are asserted), and the rows are printed in the
 * suite's afterAll, so a scenario that failed half-way still reports what it had, marked
 * INCOMPLETE. `grep '\[reliability-summary\]'` collects them from a run.
 */
export interface ScenarioRow {
  /** Requests, file edits, syncs, … the scenario attempted. */
  ops: number;
  /** Kills, restarts, dropped connections, hostile inputs, … */
  injected: number;
  /** Acknowledged writes or edits that did not survive. */
  lost: number;
  /** Broken files, half-written rows, YAML/DB/base disagreements, states no write made. */
  corrupt: number;
  /** Free-form detail (what the ops and injected failures were). */
  detail: string[];
  /** Set when the test reached its end. */
  complete: boolean;
}

export function formatScenarioRow(name: string, row: ScenarioRow): string {
  const detail = row.detail.length > 0 ? ` | ${row.detail.join("; ")}` : "";
  return `[reliability-summary] ${name} | ops ${row.ops} | injected ${row.injected} | lost ${row.lost} | corrupt ${row.corrupt}${row.complete ? "" : " | INCOMPLETE: the test did not finish"}${detail}`;
}

/** Call at describe level; returns `scenario(name)`, which adds a row printed after the suite. */
export function scenarioSummaries(): (name: string) => ScenarioRow {
  const rows: [string, ScenarioRow][] = [];
  afterAll(() => {
    for (const [name, row] of rows) console.log(formatScenarioRow(name, row));
  });
  return (name) => {
    const row: ScenarioRow = { ops: 0, injected: 0, lost: 0, corrupt: 0, detail: [], complete: false };
    rows.push([name, row]);
    return row;
  };
}

/** expectConverged that first counts what disagrees (YAML, DB, base, open conflicts, leftovers) into `row.corrupt`. */
export async function convergedInto(row: ScenarioRow, db: SqlReader, yamlPath: string): Promise<SyncSnapshot> {
  const s = await snapshot(db, yamlPath);
  row.corrupt += convergenceViolations(s).length;
  return assertConverged(s);
}

/** Runs `check` (assertions); if it throws, counts one into `row[field]` and rethrows. */
export function counted(row: ScenarioRow, field: "lost" | "corrupt", check: () => void): void {
  try {
    check();
  } catch (error) {
    row[field]++;
    throw error;
  }
}
