import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Direction, ReconcileInput, TaskDecision } from "../../lib/sync/reconcile/plan";
import { reconcile } from "../../lib/sync/reconcile/reconcile";
import { proposeMerge, type Resolution } from "../../lib/sync/reconcile/resolve-conflict";
import { TASK_FIELDS, changedFields, tasksEqual, type Task } from "../../lib/tasks/task-schema";
import { applyPlan, applyResolution, type SyncState } from "./_apply-plan";
import { IDS, autoMerge, options, syncState } from "./_arbitraries";

const numRuns = 500;

function input(state: SyncState): ReconcileInput {
  return { base: state.base, yaml: state.yaml, db: state.db, openConflicts: state.open };
}

function get(map: ReadonlyMap<string, Task>, id: string): Task | null {
  return map.get(id) ?? null;
}

function same(a: Task | null, b: Task | null): boolean {
  return a === null || b === null ? a === b : tasksEqual(a, b);
}

function allIds(state: SyncState): string[] {
  return [...new Set([...state.base.keys(), ...state.yaml.keys(), ...state.db.keys(), ...state.open])];
}

type Conflict = Extract<TaskDecision, { action: "conflict" }>;

describe("reconcile properties", () => {
  it("(a) applying a plan and reconciling again changes nothing", () => {
    fc.assert(
      fc.property(syncState, options, (state, opts) => {
        const once = applyPlan(state, reconcile(input(state), opts));
        const again = reconcile(input(once), opts);
        for (const decision of again.decisions) expect(["in_sync", "conflict"]).toContain(decision.action);
        expect(applyPlan(once, again)).toEqual(once);
      }),
      { numRuns },
    );
  });

  it("(b) after every conflict is resolved, a further sync leaves YAML, DB and base equal", () => {
    const resolutions = fc.array(fc.constantFrom<Resolution>("keep_yaml", "keep_db", "merge"), {
      minLength: IDS.length,
      maxLength: IDS.length,
    });
    fc.assert(
      fc.property(syncState, autoMerge, resolutions, (state, merge, picks) => {
        const plan = reconcile(input(state), { autoMerge: merge });
        let next = applyPlan(state, plan);
        for (const conflict of plan.decisions.filter((d): d is Conflict => d.action === "conflict")) {
          let pick = picks[IDS.indexOf(conflict.id as (typeof IDS)[number])];
          const { yaml, db } = conflict;
          // A merge needs both versions; a person facing a deletion keeps one side.
          if (pick === "merge" && (yaml === null || db === null)) pick = "keep_yaml";
          const merged = pick === "merge" && yaml && db ? proposeMerge(conflict.base, yaml, db).task : undefined;
          next = applyResolution(next, conflict, pick, merged);
        }
        expect(next.open.size).toBe(0);
        const final = applyPlan(next, reconcile(input(next), { autoMerge: merge }));
        expect(final.yaml).toEqual(final.db);
        expect(final.base).toEqual(final.yaml);
        expect(final.open.size).toBe(0);
      }),
      { numRuns },
    );
  });

  it("(c) an edit made on one side only is never lost", () => {
    fc.assert(
      fc.property(syncState, autoMerge, (state, merge) => {
        const final = applyPlan(state, reconcile(input(state), { autoMerge: merge }));
        for (const id of allIds(state)) {
          if (state.open.has(id)) continue;
          const [b, y, d] = [get(state.base, id), get(state.yaml, id), get(state.db, id)];
          const yamlChanged = !same(y, b);
          const dbChanged = !same(d, b);
          if (yamlChanged === dbChanged) continue;
          const winner = yamlChanged ? y : d;
          expect(get(final.yaml, id)).toEqual(winner);
          expect(get(final.db, id)).toEqual(winner);
          expect(get(final.base, id)).toEqual(winner);
        }
      }),
      { numRuns },
    );
  });

  it("(d) a merge keeps every field from the side that changed it, matches the merge editor's proposal, and ends on both sides", () => {
    let merges = 0;
    fc.assert(
      fc.property(syncState, (state) => {
        const plan = reconcile(input(state));
        const final = applyPlan(state, plan);
        for (const decision of plan.decisions) {
          if (decision.action !== "merge") continue;
          merges++;
          const b = get(state.base, decision.id)!;
          const y = decision.yamlBefore;
          const d = decision.dbBefore;
          const fromYaml = changedFields(b, y);
          const fromDb = changedFields(b, d);
          for (const field of TASK_FIELDS) {
            const source = fromYaml.includes(field) ? y : fromDb.includes(field) ? d : b;
            expect(decision.task[field], field).toEqual(source[field]);
            if (fromYaml.includes(field) && fromDb.includes(field)) expect(y[field]).toEqual(d[field]);
          }
          expect(proposeMerge(b, y, d)).toMatchObject({ task: decision.task, clashes: [] });
          expect(decision.fromYaml).toEqual(fromYaml);
          expect(decision.fromDb).toEqual(fromDb);
          expect(get(final.yaml, decision.id)).toEqual(decision.task);
          expect(get(final.db, decision.id)).toEqual(decision.task);
        }
      }),
      { numRuns },
    );
    // Guards against an arbitrary that stopped producing the case under test.
    expect(merges).toBeGreaterThan(numRuns / 10);
  });

  it("(e) a one-sided direction makes the losing side equal to the winner, open conflicts only with force", () => {
    const oneSided = fc.constantFrom<Direction>("yaml_to_db", "db_to_yaml");
    fc.assert(
      fc.property(syncState, oneSided, fc.boolean(), autoMerge, (state, direction, force, merge) => {
        const final = applyPlan(state, reconcile(input(state), { direction, force, autoMerge: merge }));
        const [winnerBefore, winnerAfter] = direction === "yaml_to_db" ? [state.yaml, final.yaml] : [state.db, final.db];
        expect(winnerAfter).toEqual(winnerBefore);
        for (const id of allIds(state)) {
          const held = !force && state.open.has(id) && !same(get(state.yaml, id), get(state.db, id));
          if (held) {
            expect([get(final.yaml, id), get(final.db, id), get(final.base, id)]).toEqual([
              get(state.yaml, id),
              get(state.db, id),
              get(state.base, id),
            ]);
          } else {
            expect(get(final.yaml, id)).toEqual(get(winnerBefore, id));
            expect(get(final.db, id)).toEqual(get(winnerBefore, id));
            expect(get(final.base, id)).toEqual(get(winnerBefore, id));
          }
        }
      }),
      { numRuns },
    );
  });

  it("swapping YAML and DB mirrors the plan", () => {
    fc.assert(
      fc.property(syncState, options, (state, opts) => {
        const plan = reconcile(input(state), opts);
        const swapped = reconcile({ ...input(state), yaml: state.db, db: state.yaml }, { ...opts, direction: mirrorDirection(opts.direction) });
        expect(swapped.decisions).toEqual(plan.decisions.map(mirror));
      }),
      { numRuns },
    );
  });

  it("decides each id seen anywhere or with an open conflict exactly once, in id order", () => {
    fc.assert(
      fc.property(syncState, options, (state, opts) => {
        const ids = reconcile(input(state), opts).decisions.map((d) => d.id);
        expect(ids).toEqual(allIds(state).sort());
      }),
      { numRuns },
    );
  });
});

function mirrorDirection(direction: Direction | undefined): Direction | undefined {
  if (direction === "yaml_to_db") return "db_to_yaml";
  if (direction === "db_to_yaml") return "yaml_to_db";
  return direction;
}

function mirror(decision: TaskDecision): TaskDecision {
  switch (decision.action) {
    case "in_sync":
      return decision;
    case "write_yaml":
      return { ...decision, action: "write_db" };
    case "write_db":
      return { ...decision, action: "write_yaml" };
    case "merge":
      return { ...decision, yamlBefore: decision.dbBefore, dbBefore: decision.yamlBefore, fromYaml: decision.fromDb, fromDb: decision.fromYaml };
    case "conflict": {
      const kind = decision.kind === "modify_delete" ? "delete_modify" : decision.kind === "delete_modify" ? "modify_delete" : decision.kind;
      return { ...decision, kind, yaml: decision.db, db: decision.yaml };
    }
  }
}
