import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Plan } from "../../lib/sync/reconcile/plan";
import { reconcile } from "../../lib/sync/reconcile/reconcile";
import { planChanges, summarizePlan } from "../../lib/sync/reconcile/summarize-plan";
import { options, syncState } from "./_arbitraries";
import { task, taskMap } from "./_fixtures";

describe("summarizePlan", () => {
  it("counts an empty plan as all zeros", () => {
    expect(summarizePlan({ direction: "bidirectional", decisions: [] })).toEqual({
      direction: "bidirectional",
      total: 0,
      inSync: 0,
      toYaml: { create: 0, update: 0, delete: 0 },
      toDb: { create: 0, update: 0, delete: 0 },
      merged: 0,
      renamed: 0,
      conflicts: 0,
    });
  });

  it("counts what each side gains, changes and loses", () => {
    const plan = reconcile({
      base: taskMap(task("same"), task("db-edit"), task("yaml-edit"), task("db-del"), task("yaml-del"), task("merge"), task("clash")),
      yaml: taskMap(
        task("same"),
        // Not the deleted task's content: that would be a rename (renames.test.ts).
        task("new-in-yaml", { name: "New in YAML" }),
        task("db-edit"),
        task("yaml-edit", { enabled: false }),
        task("db-del"),
        task("merge", { name: "From YAML" }),
        task("clash", { name: "YAML" }),
      ),
      db: taskMap(
        task("same"),
        task("new-in-db"),
        task("db-edit", { enabled: false }),
        task("yaml-edit"),
        task("yaml-del"),
        task("merge", { enabled: false }),
        task("clash", { name: "DB" }),
      ),
    });
    expect(summarizePlan(plan)).toEqual({
      direction: "bidirectional",
      total: 9,
      inSync: 1,
      toYaml: { create: 1, update: 2, delete: 1 },
      toDb: { create: 1, update: 2, delete: 1 },
      merged: 1,
      renamed: 0,
      conflicts: 1,
    });
  });

  it("counts a merge as an update only on the side whose value changes", () => {
    // Both sides set the same schedule, the DB also disabled the task: only YAML changes.
    const plan = reconcile({
      base: taskMap(task("a")),
      yaml: taskMap(task("a", { schedule: "0 3 * * *" })),
      db: taskMap(task("a", { schedule: "0 3 * * *", enabled: false })),
    });
    expect(summarizePlan(plan)).toMatchObject({ merged: 1, toYaml: { update: 1 }, toDb: { update: 0 } });
  });

  it("counts every decision once, and every merge once plus one or two side updates", () => {
    const updates = (x: ReturnType<typeof summarizePlan>) => x.toYaml.update + x.toDb.update;
    const writes = (x: ReturnType<typeof summarizePlan>) =>
      x.toYaml.create + x.toYaml.update + x.toYaml.delete + x.toDb.create + x.toDb.update + x.toDb.delete;
    fc.assert(
      fc.property(syncState, options, (state, opts) => {
        const plan = reconcile({ base: state.base, yaml: state.yaml, db: state.db, openConflicts: state.open }, opts);
        const whole = summarizePlan(plan);
        const merges = { direction: plan.direction, decisions: plan.decisions.filter((d) => d.action === "merge") };
        const rest = summarizePlan({ direction: plan.direction, decisions: plan.decisions.filter((d) => d.action !== "merge") });
        const merged = summarizePlan(merges);
        expect(whole.total).toBe(plan.decisions.length);
        expect(rest.inSync + rest.conflicts + writes(rest)).toBe(rest.total);
        expect(merged.merged).toBe(merges.decisions.length);
        expect(updates(merged)).toBeGreaterThanOrEqual(merged.merged);
        expect(updates(merged)).toBeLessThanOrEqual(2 * merged.merged);
        expect(writes(whole)).toBe(writes(rest) + updates(merged));
      }),
      { numRuns: 200 },
    );
  });
});

describe("planChanges", () => {
  it("keeps every decision but the in_sync ones, in order", () => {
    const plan: Plan = {
      direction: "bidirectional",
      decisions: [
        { id: "a", action: "in_sync", task: task("a") },
        { id: "b", action: "write_db", task: null, before: task("b") },
        { id: "c", action: "in_sync", task: null },
        { id: "d", action: "conflict", kind: "modify_delete", base: task("d"), yaml: task("d", { enabled: false }), db: null, fields: [] },
      ],
    };
    expect(planChanges(plan).map((d) => [d.id, d.action])).toEqual([
      ["b", "write_db"],
      ["d", "conflict"],
    ]);
  });

  it("is empty right after a sync", () => {
    const plan = reconcile({ base: taskMap(task("a")), yaml: taskMap(task("a")), db: taskMap(task("a")) });
    expect(planChanges(plan)).toEqual([]);
  });
});
