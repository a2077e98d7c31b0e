import { describe, expect, it } from "vitest";
import { reconcileWithLineage } from "../../lib/sync/reconcile/lineage";
import type { DeleteGuard, ReconcileOptions, TaskDecision } from "../../lib/sync/reconcile/plan";
import { planWrites } from "../../lib/sync/reconcile/plan-writes";
import { reconcile } from "../../lib/sync/reconcile/reconcile";
import { summarizePlan } from "../../lib/sync/reconcile/summarize-plan";
import type { Task } from "../../lib/tasks/task-schema";
import { task, taskMap } from "./_fixtures";

/**
 * Rename detection (issue #17, "Renames"): a task whose id changed in the file while every other
 * field stayed is one rename X → Y, not a deletion of X and a creation of Y.
 */

const X = task("nightly", { command: "/opt/dump.sh" });
const Y = task("nightly-dump", { command: "/opt/dump.sh" });
const other = task("other", { command: "/opt/other.sh" });

type Link = [id: string, action: string, rename: { from: string; to: string } | undefined];
const links = (decisions: TaskDecision[]): Link[] => decisions.map((d) => [d.id, d.action === "conflict" ? d.kind : d.action, d.action === "write_db" ? d.rename : undefined]);
const renamed = { from: "nightly", to: "nightly-dump" };

interface Case {
  name: string;
  base: Task[];
  yaml: Task[];
  db: Task[];
  options?: ReconcileOptions;
  expected: Link[];
}

const cases: Case[] = [
  {
    name: "the id changed in the file, nothing else, the DB untouched: one rename",
    base: [X, other],
    yaml: [Y, other],
    db: [X, other],
    expected: [
      ["nightly", "write_db", renamed],
      ["nightly-dump", "write_db", renamed],
      ["other", "in_sync", undefined],
    ],
  },
  {
    name: "the id and a field changed: a deletion and a creation, as before",
    base: [X],
    yaml: [task("nightly-dump", { command: "/opt/dump.sh --full" })],
    db: [X],
    expected: [
      ["nightly", "write_db", undefined],
      ["nightly-dump", "write_db", undefined],
    ],
  },
  {
    name: "the DB changed X meanwhile: no rename, X stays a delete/modify conflict (the DB's edit is kept)",
    base: [X],
    yaml: [Y],
    db: [task("nightly", { command: "/opt/dump.sh", enabled: false })],
    expected: [
      ["nightly", "delete_modify", undefined],
      ["nightly-dump", "write_db", undefined],
    ],
  },
  {
    name: "two deleted tasks with the same content as the new one: ambiguous, no rename",
    base: [X, task("nightly-2", { command: "/opt/dump.sh" })],
    yaml: [Y],
    db: [X, task("nightly-2", { command: "/opt/dump.sh" })],
    expected: [
      ["nightly", "write_db", undefined],
      ["nightly-2", "write_db", undefined],
      ["nightly-dump", "write_db", undefined],
    ],
  },
  {
    name: "two new tasks with the deleted one's content: ambiguous, no rename",
    base: [X],
    yaml: [Y, task("nightly-dump-2", { command: "/opt/dump.sh" })],
    db: [X],
    expected: [
      ["nightly", "write_db", undefined],
      ["nightly-dump", "write_db", undefined],
      ["nightly-dump-2", "write_db", undefined],
    ],
  },
  {
    name: "the new id exists in the DB already: no rename",
    base: [X],
    yaml: [Y],
    db: [X, Y],
    expected: [
      ["nightly", "write_db", undefined],
      ["nightly-dump", "in_sync", undefined],
    ],
  },
  {
    name: "the new id is in the base (deleted in the DB meanwhile): no rename",
    base: [X, Y],
    yaml: [Y],
    db: [X],
    expected: [
      ["nightly", "write_db", undefined],
      ["nightly-dump", "write_yaml", undefined],
    ],
  },
  {
    name: "two renames of different tasks: both linked",
    base: [X, other],
    yaml: [Y, task("other-2", { command: "/opt/other.sh" })],
    db: [X, other],
    expected: [
      ["nightly", "write_db", renamed],
      ["nightly-dump", "write_db", renamed],
      ["other", "write_db", { from: "other", to: "other-2" }],
      ["other-2", "write_db", { from: "other", to: "other-2" }],
    ],
  },
  {
    name: "yaml_to_db: the file's rename is a rename too",
    base: [X],
    yaml: [Y],
    db: [X],
    options: { direction: "yaml_to_db" },
    expected: [
      ["nightly", "write_db", renamed],
      ["nightly-dump", "write_db", renamed],
    ],
  },
  {
    name: "db_to_yaml: the DB wins, nothing is renamed",
    base: [X],
    yaml: [Y],
    db: [X],
    options: { direction: "db_to_yaml" },
    expected: [
      ["nightly", "write_yaml", undefined],
      ["nightly-dump", "write_yaml", undefined],
    ],
  },
];

describe("rename detection", () => {
  it.each(cases)("$name", ({ base, yaml, db, options, expected }) => {
    const plan = reconcile({ base: taskMap(...base), yaml: taskMap(...yaml), db: taskMap(...db) }, options);
    expect(links(plan.decisions)).toEqual(expected);
  });

  it("a rename is one DB write that keeps the row, one history entry, and moves the base to the new id", () => {
    const base = taskMap(X, other);
    const plan = reconcile({ base, yaml: taskMap(Y, other), db: taskMap(X, other) });
    const writes = planWrites(plan, base, new Set());
    expect(writes.dbRenames).toEqual([{ from: "nightly", task: Y }]);
    expect(writes.dbUpserts).toEqual([]);
    expect(writes.dbDeletes).toEqual([]);
    expect(writes.baseDelete).toEqual(["nightly"]);
    expect(writes.baseSet).toEqual([Y]);
    expect(writes.changes).toEqual([{ taskId: "nightly-dump", side: "db", action: "rename", before: X, after: Y }]);
    expect(summarizePlan(plan)).toMatchObject({ renamed: 1, toDb: { create: 0, update: 1, delete: 0 } });
  });

  it("the delete guard does not count renames: renaming most tasks at once is not a mass deletion", () => {
    const guard: DeleteGuard = { count: 10, fraction: 0.25 };
    const old = Array.from({ length: 30 }, (_, i) => task(`job-${i}`, { command: `/opt/job-${i}.sh` }));
    const renamedAll = old.map((t) => ({ ...t, id: `etl-${t.id}` }));
    const plan = reconcile({ base: taskMap(...old), yaml: taskMap(...renamedAll), db: taskMap(...old) }, { deleteGuard: guard });
    expect(plan.decisions.filter((d) => d.action === "conflict")).toEqual([]);
    expect(summarizePlan(plan)).toMatchObject({ renamed: 30, toDb: { create: 0, update: 30, delete: 0 } });
    // Real deletions beside them are still judged on their own.
    const deleting = reconcile({ base: taskMap(...old), yaml: taskMap(...renamedAll.slice(0, 10)), db: taskMap(...old) }, { deleteGuard: guard });
    expect(deleting.decisions.filter((d) => d.action === "conflict" && d.kind === "held_deletion")).toHaveLength(20);
  });

  it("a run of the plan's writes is not a rename again: the next reconcile is in sync", () => {
    const plan = reconcile({ base: taskMap(X), yaml: taskMap(Y), db: taskMap(X) });
    const writes = planWrites(plan, taskMap(X), new Set());
    const db = taskMap(...writes.dbRenames.map((r) => r.task));
    const base = taskMap(...writes.baseSet);
    expect(links(reconcile({ base, yaml: taskMap(Y), db }).decisions)).toEqual([["nightly-dump", "in_sync", undefined]]);
  });

  it("a stale file holding X after the rename to Y does not undo the rename (lineage: X is older in the file)", () => {
    // The latest revision holds Y; the file was saved from the one before, which held X.
    const plan = reconcileWithLineage({
      base: taskMap(Y),
      yaml: taskMap(X),
      db: taskMap(Y),
      ancestor: new Map([
        ["nightly", X],
        ["nightly-dump", null],
      ]),
      latest: new Map([
        ["nightly", null],
        ["nightly-dump", Y],
      ]),
    });
    expect(links(plan.decisions)).toEqual([
      ["nightly", "write_yaml", undefined],
      ["nightly-dump", "write_yaml", undefined],
    ]);
    expect(plan.keptNewer).toEqual(["nightly", "nightly-dump"]);
    // Without lineage the old file reads as a rename back: that is what lineage prevents.
    expect(links(reconcile({ base: taskMap(Y), yaml: taskMap(X), db: taskMap(Y) }).decisions)[0]).toEqual(["nightly", "write_db", { from: "nightly-dump", to: "nightly" }]);
  });
});
