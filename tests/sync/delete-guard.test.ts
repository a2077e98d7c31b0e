import { describe, expect, it } from "vitest";
import type { DeleteGuard, TaskDecision } from "../../lib/sync/reconcile/plan";
import { reconcile } from "../../lib/sync/reconcile/reconcile";
import type { Task } from "../../lib/tasks/task-schema";
import { task, taskMap } from "./_fixtures";

/** The delete guard of a bidirectional run: more than 10 deletions and more than 25 % of a side's tasks are held. */
const GUARD: DeleteGuard = { count: 10, fraction: 0.25 };

const tasks = (n: number, prefix = "t") => Array.from({ length: n }, (_, i) => task(`${prefix}-${String(i).padStart(3, "0")}`));
const actions = (decisions: TaskDecision[]) => decisions.reduce<Record<string, number>>((acc, d) => ({ ...acc, [d.action === "conflict" ? d.kind : d.action]: (acc[d.action === "conflict" ? d.kind : d.action] ?? 0) + 1 }), {});

function run(base: Task[], yaml: Task[], db: Task[], guard: DeleteGuard | null = GUARD, open?: Map<string, "held_deletion">) {
  return reconcile({ base: taskMap(...base), yaml: taskMap(...yaml), db: taskMap(...db), openConflicts: open }, { deleteGuard: guard ?? undefined }).decisions;
}

describe("the delete guard", () => {
  const all = tasks(40);

  it.each([
    ["10 of 40 deleted in the file (not more than 10): applied", 10, { write_db: 10, in_sync: 30 }],
    ["11 of 40 deleted in the file (more than 10 and 27 %): held", 11, { held_deletion: 11, in_sync: 29 }],
    ["half of the file lost: held", 20, { held_deletion: 20, in_sync: 20 }],
    ["every task deleted in the file: held", 40, { held_deletion: 40 }],
  ])("%s", (_, deleted, expected) => {
    const decisions = run(all, all.slice(deleted), all);
    expect(actions(decisions)).toEqual(expected);
  });

  it("judges the share against the whole schedule: 11 of 100 deleted is applied", () => {
    const hundred = tasks(100);
    expect(actions(run(hundred, hundred.slice(11), hundred))).toEqual({ write_db: 11, in_sync: 89 });
  });

  it("holds DB-side mass deletions too (DELETE FROM tasks), and judges each side on its own", () => {
    const decisions = run(all, all.slice(0, 38), []);
    expect(actions(decisions)).toEqual({ held_deletion: 38, in_sync: 2 });
    const held = decisions.find((d) => d.action === "conflict")!;
    expect(held).toMatchObject({ kind: "held_deletion", db: null });
    expect((held as Extract<TaskDecision, { action: "conflict" }>).yaml).toEqual((held as Extract<TaskDecision, { action: "conflict" }>).base);
  });

  it("lets every other change of the run through: edits, creations and a few deletions elsewhere", () => {
    const edited = { ...all[30]!, command: "edited in the file" };
    const created = task("new-one");
    const decisions = run(all, [...all.slice(20, 30), edited, ...all.slice(31), created], all);
    expect(actions(decisions)).toEqual({ held_deletion: 20, in_sync: 19, write_db: 2 });
  });

  it("uses the totals it is given for a scoped run (the maps hold only the changed tasks)", () => {
    const scope = all.slice(0, 11);
    const decisions = reconcile(
      { base: taskMap(...scope), yaml: taskMap(), db: taskMap(...scope) },
      { deleteGuard: { ...GUARD, yamlTasks: 1000 - 11, dbTasks: 1000 } },
    ).decisions;
    expect(actions(decisions)).toEqual({ write_db: 11 });
  });

  it("keeps a held deletion held while nothing changes, and releases it once both sides agree", () => {
    const open = new Map(all.slice(0, 20).map((t) => [t.id, "held_deletion" as const]));
    const stillHeld = run(all, all.slice(20), all, GUARD, open);
    expect(actions(stillHeld)).toEqual({ held_deletion: 20, in_sync: 20 });
    // The complete file is back: every held task is in sync again, so the holds close.
    expect(actions(run(all, all, all, GUARD, open))).toEqual({ in_sync: 40 });
  });

  it("turns a held deletion into an ordinary conflict when the other side edits the task meanwhile", () => {
    const open = new Map([[all[0]!.id, "held_deletion" as const]]);
    const edited = { ...all[0]!, name: "edited in the DB" };
    const decisions = run(all, all.slice(1), [edited, ...all.slice(1)], GUARD, open);
    expect(decisions.find((d) => d.id === all[0]!.id)).toMatchObject({ action: "conflict", kind: "delete_modify" });
  });

  it("does nothing without a guard, or on a forced one-sided run", () => {
    expect(actions(run(all, [], all, null))).toEqual({ write_db: 40 });
    const forced = reconcile({ base: taskMap(...all), yaml: taskMap(), db: taskMap(...all) }, { direction: "yaml_to_db", force: true, deleteGuard: GUARD }).decisions;
    expect(actions(forced)).toEqual({ write_db: 40 });
  });
});
