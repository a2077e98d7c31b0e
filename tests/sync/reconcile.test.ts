import { describe, expect, it } from "vitest";
import type { ConflictKind, ReconcileOptions, TaskDecision } from "../../lib/sync/reconcile/plan";
import { reconcile } from "../../lib/sync/reconcile/reconcile";
import { TASK_FIELDS, type Task, type TaskField } from "../../lib/tasks/task-schema";
import { task, taskMap } from "./_fixtures";

const ID = "backup";

// Versions of one task: B is the agreed base; the others are edits of it.
const B = task(ID);
const yamlSchedule = task(ID, { schedule: "0 3 * * *" });
const dbSchedule = task(ID, { schedule: "0 4 * * *" });
const dbDisabled = task(ID, { enabled: false });
const yamlRenamed = task(ID, { name: "Nightly backup" });
const bothEdits = task(ID, { schedule: "0 3 * * *", enabled: false });
const all: TaskField[] = [...TASK_FIELDS];

interface Case {
  name: string;
  b: Task | null;
  y: Task | null;
  d: Task | null;
  open?: boolean;
  options?: ReconcileOptions;
  /** null: the id appears nowhere, so the plan holds no decision for it. */
  expected: TaskDecision | null;
}

const inSync = (t: Task | null): TaskDecision => ({ id: ID, action: "in_sync", task: t });
const writeYaml = (t: Task | null, before: Task | null): TaskDecision => ({ id: ID, action: "write_yaml", task: t, before });
const writeDb = (t: Task | null, before: Task | null): TaskDecision => ({ id: ID, action: "write_db", task: t, before });
const conflict = (kind: ConflictKind, b: Task | null, y: Task | null, d: Task | null, fields: TaskField[]): TaskDecision => ({
  id: ID,
  action: "conflict",
  kind,
  base: b,
  yaml: y,
  db: d,
  fields,
});

/** Every presence combination of B/Y/D, with every equal/different relation between the present ones. */
const bidirectional: Case[] = [
  { name: "absent everywhere: no decision", b: null, y: null, d: null, expected: null },
  { name: "deleted on both sides: in sync, base removed", b: B, y: null, d: null, expected: inSync(null) },
  { name: "created in YAML: written to DB", b: null, y: B, d: null, expected: writeDb(B, null) },
  { name: "created in DB: written to YAML", b: null, y: null, d: B, expected: writeYaml(B, null) },
  { name: "identical concurrent creations: in sync", b: null, y: B, d: task(ID), expected: inSync(B) },
  {
    name: "different concurrent creations: both_created conflict",
    b: null,
    y: yamlSchedule,
    d: dbSchedule,
    expected: conflict("both_created", null, yamlSchedule, dbSchedule, ["schedule"]),
  },
  {
    name: "concurrent creations differing in disjoint fields: still a conflict (no base to merge from)",
    b: null,
    y: yamlSchedule,
    d: dbDisabled,
    expected: conflict("both_created", null, yamlSchedule, dbDisabled, ["schedule", "enabled"]),
  },
  { name: "deleted in DB, untouched in YAML: deleted from YAML", b: B, y: task(ID), d: null, expected: writeYaml(null, B) },
  {
    name: "modified in YAML, deleted in DB: modify_delete conflict",
    b: B,
    y: yamlSchedule,
    d: null,
    expected: conflict("modify_delete", B, yamlSchedule, null, all),
  },
  { name: "deleted in YAML, untouched in DB: deleted from DB", b: B, y: null, d: task(ID), expected: writeDb(null, B) },
  {
    name: "deleted in YAML, modified in DB: delete_modify conflict",
    b: B,
    y: null,
    d: dbDisabled,
    expected: conflict("delete_modify", B, null, dbDisabled, all),
  },
  { name: "unchanged everywhere: in sync", b: B, y: task(ID), d: task(ID), expected: inSync(B) },
  {
    name: "identical concurrent edits: in sync, base moves to the new value",
    b: B,
    y: yamlSchedule,
    d: task(ID, { schedule: "0 3 * * *" }),
    expected: inSync(yamlSchedule),
  },
  { name: "edited in DB: written to YAML", b: B, y: task(ID), d: dbDisabled, expected: writeYaml(dbDisabled, B) },
  { name: "edited in YAML: written to DB", b: B, y: yamlSchedule, d: task(ID), expected: writeDb(yamlSchedule, B) },
  {
    name: "a tags array rebuilt with the same items is no change",
    b: B,
    y: task(ID, { tags: ["ops"] }),
    d: task(ID, { tags: ["ops"] }),
    expected: inSync(B),
  },
  {
    name: "disjoint field edits: merged",
    b: B,
    y: yamlSchedule,
    d: dbDisabled,
    expected: {
      id: ID,
      action: "merge",
      task: bothEdits,
      yamlBefore: yamlSchedule,
      dbBefore: dbDisabled,
      fromYaml: ["schedule"],
      fromDb: ["enabled"],
    },
  },
  {
    name: "disjoint edits of an array field and a scalar field: merged",
    b: B,
    y: yamlRenamed,
    d: task(ID, { tags: ["ops", "db"] }),
    expected: {
      id: ID,
      action: "merge",
      task: task(ID, { name: "Nightly backup", tags: ["ops", "db"] }),
      yamlBefore: yamlRenamed,
      dbBefore: task(ID, { tags: ["ops", "db"] }),
      fromYaml: ["name"],
      fromDb: ["tags"],
    },
  },
  {
    name: "same field changed differently: both_modified conflict",
    b: B,
    y: yamlSchedule,
    d: dbSchedule,
    expected: conflict("both_modified", B, yamlSchedule, dbSchedule, ["schedule"]),
  },
  {
    name: "overlapping plus disjoint edits: conflict over every differing field",
    b: B,
    y: task(ID, { name: "Nightly backup", schedule: "0 3 * * *" }),
    d: dbSchedule,
    expected: conflict("both_modified", B, task(ID, { name: "Nightly backup", schedule: "0 3 * * *" }), dbSchedule, [
      "name",
      "schedule",
    ]),
  },
  {
    name: "same edit on both sides plus a one-sided edit: merged",
    b: B,
    y: yamlSchedule,
    d: bothEdits,
    expected: {
      id: ID,
      action: "merge",
      task: bothEdits,
      yamlBefore: yamlSchedule,
      dbBefore: bothEdits,
      fromYaml: ["schedule"],
      fromDb: ["schedule", "enabled"],
    },
  },
  {
    name: "same edit on both sides plus disjoint edits on each side: merged",
    b: B,
    y: task(ID, { schedule: "0 3 * * *", name: "Nightly backup" }),
    d: bothEdits,
    expected: {
      id: ID,
      action: "merge",
      task: task(ID, { name: "Nightly backup", schedule: "0 3 * * *", enabled: false }),
      yamlBefore: task(ID, { schedule: "0 3 * * *", name: "Nightly backup" }),
      dbBefore: bothEdits,
      fromYaml: ["name", "schedule"],
      fromDb: ["schedule", "enabled"],
    },
  },
];

const noAutoMerge: ReconcileOptions = { autoMerge: false };
const autoMergeOff: Case[] = [
  {
    name: "autoMerge off: disjoint field edits become a both_modified conflict",
    b: B,
    y: yamlSchedule,
    d: dbDisabled,
    options: noAutoMerge,
    expected: conflict("both_modified", B, yamlSchedule, dbDisabled, ["schedule", "enabled"]),
  },
  {
    name: "autoMerge off: same edit on both sides plus a one-sided edit is a conflict",
    b: B,
    y: yamlSchedule,
    d: bothEdits,
    options: noAutoMerge,
    expected: conflict("both_modified", B, yamlSchedule, bothEdits, ["enabled"]),
  },
  {
    name: "autoMerge off: a one-sided edit is still written",
    b: B,
    y: yamlSchedule,
    d: task(ID),
    options: noAutoMerge,
    expected: writeDb(yamlSchedule, B),
  },
  {
    name: "autoMerge off: identical concurrent edits are in sync",
    b: B,
    y: yamlSchedule,
    d: task(ID, { schedule: "0 3 * * *" }),
    options: noAutoMerge,
    expected: inSync(yamlSchedule),
  },
];

const yamlToDb: ReconcileOptions = { direction: "yaml_to_db" };
const dbToYaml: ReconcileOptions = { direction: "db_to_yaml" };
const directions: Case[] = [
  { name: "yaml_to_db: equal sides are in sync", b: B, y: task(ID), d: task(ID), options: yamlToDb, expected: inSync(B) },
  {
    name: "yaml_to_db: a DB edit is overwritten by YAML",
    b: B,
    y: task(ID),
    d: dbDisabled,
    options: yamlToDb,
    expected: writeDb(B, dbDisabled),
  },
  {
    name: "yaml_to_db: clashing edits: YAML wins, no conflict",
    b: B,
    y: yamlSchedule,
    d: dbSchedule,
    options: yamlToDb,
    expected: writeDb(yamlSchedule, dbSchedule),
  },
  {
    name: "yaml_to_db: disjoint edits are not merged, YAML wins",
    b: B,
    y: yamlSchedule,
    d: dbDisabled,
    options: yamlToDb,
    expected: writeDb(yamlSchedule, dbDisabled),
  },
  {
    name: "yaml_to_db: deleted in YAML, modified in DB: deleted from DB",
    b: B,
    y: null,
    d: dbDisabled,
    options: yamlToDb,
    expected: writeDb(null, dbDisabled),
  },
  {
    name: "yaml_to_db: created in DB only: deleted from DB",
    b: null,
    y: null,
    d: dbDisabled,
    options: yamlToDb,
    expected: writeDb(null, dbDisabled),
  },
  {
    name: "yaml_to_db: deleted in DB: recreated from YAML",
    b: B,
    y: task(ID),
    d: null,
    options: yamlToDb,
    expected: writeDb(B, null),
  },
  {
    name: "yaml_to_db with force and no open conflict: same as without force",
    b: B,
    y: yamlSchedule,
    d: dbSchedule,
    options: { ...yamlToDb, force: true },
    expected: writeDb(yamlSchedule, dbSchedule),
  },
  {
    name: "db_to_yaml: a YAML edit is overwritten by the DB",
    b: B,
    y: yamlSchedule,
    d: task(ID),
    options: dbToYaml,
    expected: writeYaml(B, yamlSchedule),
  },
  {
    name: "db_to_yaml: clashing edits: DB wins, no conflict",
    b: B,
    y: yamlSchedule,
    d: dbSchedule,
    options: dbToYaml,
    expected: writeYaml(dbSchedule, yamlSchedule),
  },
  {
    name: "db_to_yaml: modified in YAML, deleted in DB: deleted from YAML",
    b: B,
    y: yamlSchedule,
    d: null,
    options: dbToYaml,
    expected: writeYaml(null, yamlSchedule),
  },
  {
    name: "db_to_yaml: created in YAML only: deleted from YAML",
    b: null,
    y: yamlSchedule,
    d: null,
    options: dbToYaml,
    expected: writeYaml(null, yamlSchedule),
  },
  {
    name: "db_to_yaml with force and no open conflict: same as without force",
    b: null,
    y: yamlSchedule,
    d: dbSchedule,
    options: { ...dbToYaml, force: true },
    expected: writeYaml(dbSchedule, yamlSchedule),
  },
];

const openConflicts: Case[] = [
  { name: "open conflict, sides now equal: in sync", b: B, y: yamlSchedule, d: task(ID, { schedule: "0 3 * * *" }), open: true, expected: inSync(yamlSchedule) },
  { name: "open conflict, both sides deleted: in sync, base removed", b: B, y: null, d: null, open: true, expected: inSync(null) },
  {
    name: "open conflict, YAML reverted to base: stays a conflict, DB edit not written",
    b: B,
    y: task(ID),
    d: dbSchedule,
    open: true,
    expected: conflict("both_modified", B, B, dbSchedule, ["schedule"]),
  },
  {
    name: "open conflict, disjoint edits: not auto-merged",
    b: B,
    y: yamlSchedule,
    d: dbDisabled,
    open: true,
    expected: conflict("both_modified", B, yamlSchedule, dbDisabled, ["schedule", "enabled"]),
  },
  {
    name: "open conflict, deleted in DB: refreshed as modify_delete",
    b: B,
    y: task(ID),
    d: null,
    open: true,
    expected: conflict("modify_delete", B, B, null, all),
  },
  {
    name: "open conflict, deleted in YAML: refreshed as delete_modify",
    b: B,
    y: null,
    d: dbSchedule,
    open: true,
    expected: conflict("delete_modify", B, null, dbSchedule, all),
  },
  {
    name: "open conflict without a base, both present: refreshed as both_created",
    b: null,
    y: yamlSchedule,
    d: dbSchedule,
    open: true,
    expected: conflict("both_created", null, yamlSchedule, dbSchedule, ["schedule"]),
  },
  {
    name: "open conflict without a base, only in YAML: refreshed as modify_delete",
    b: null,
    y: yamlSchedule,
    d: null,
    open: true,
    expected: conflict("modify_delete", null, yamlSchedule, null, all),
  },
  {
    name: "open conflict, bidirectional with force: force is ignored, stays a conflict",
    b: B,
    y: yamlSchedule,
    d: dbSchedule,
    open: true,
    options: { force: true },
    expected: conflict("both_modified", B, yamlSchedule, dbSchedule, ["schedule"]),
  },
  {
    name: "open conflict, yaml_to_db without force: stays a conflict",
    b: B,
    y: yamlSchedule,
    d: dbSchedule,
    open: true,
    options: yamlToDb,
    expected: conflict("both_modified", B, yamlSchedule, dbSchedule, ["schedule"]),
  },
  {
    name: "open conflict, yaml_to_db with force: YAML wins",
    b: B,
    y: yamlSchedule,
    d: dbSchedule,
    open: true,
    options: { ...yamlToDb, force: true },
    expected: writeDb(yamlSchedule, dbSchedule),
  },
  {
    name: "open conflict, yaml_to_db with force, deleted in YAML: deleted from DB",
    b: B,
    y: null,
    d: dbSchedule,
    open: true,
    options: { ...yamlToDb, force: true },
    expected: writeDb(null, dbSchedule),
  },
  {
    name: "open conflict, db_to_yaml without force: stays a conflict",
    b: B,
    y: yamlSchedule,
    d: null,
    open: true,
    options: dbToYaml,
    expected: conflict("modify_delete", B, yamlSchedule, null, all),
  },
  {
    name: "open conflict, db_to_yaml with force: DB wins",
    b: B,
    y: yamlSchedule,
    d: dbSchedule,
    open: true,
    options: { ...dbToYaml, force: true },
    expected: writeYaml(dbSchedule, yamlSchedule),
  },
];

function decide(c: Case): TaskDecision[] {
  const plan = reconcile(
    { base: taskMap(c.b), yaml: taskMap(c.y), db: taskMap(c.d), openConflicts: c.open ? new Set([ID]) : undefined },
    c.options,
  );
  return plan.decisions;
}

describe("reconcile, one task", () => {
  describe.each([
    ["bidirectional", bidirectional],
    ["autoMerge off", autoMergeOff],
    ["one-sided directions", directions],
    ["open conflicts", openConflicts],
  ] as const)("%s", (_, cases) => {
    it.each(cases)("$name", (c) => {
      expect(decide(c)).toEqual(c.expected === null ? [] : [c.expected]);
    });
  });

  it("the bidirectional table covers all 8 presence combinations of base, YAML and DB", () => {
    const presence = new Set(bidirectional.map((c) => `${c.b ? "B" : "-"}${c.y ? "Y" : "-"}${c.d ? "D" : "-"}`));
    expect(presence.size).toBe(8);
  });
});

describe("reconcile, whole plans", () => {
  it("has one decision per id seen anywhere, sorted by id", () => {
    const plan = reconcile({
      base: taskMap(task("m"), task("a")),
      yaml: taskMap(task("z"), task("m"), task("b-2")),
      db: taskMap(task("b-10"), task("a")),
    });
    expect(plan.decisions.map((d) => d.id)).toEqual(["a", "b-10", "b-2", "m", "z"]);
  });

  it("defaults to bidirectional and reports the direction", () => {
    expect(reconcile({ base: taskMap(), yaml: taskMap(), db: taskMap() })).toEqual({ direction: "bidirectional", decisions: [] });
    expect(reconcile({ base: taskMap(), yaml: taskMap(), db: taskMap() }, dbToYaml).direction).toBe("db_to_yaml");
  });

  it("keeps syncing other tasks while one has an open conflict", () => {
    const plan = reconcile({
      base: taskMap(task("a"), task("b")),
      yaml: taskMap(task("a", { schedule: "0 3 * * *" }), task("b", { name: "Renamed" })),
      db: taskMap(task("a", { schedule: "0 4 * * *" }), task("b")),
      openConflicts: new Set(["a"]),
    });
    expect(plan.decisions.map((d) => [d.id, d.action])).toEqual([
      ["a", "conflict"],
      ["b", "write_db"],
    ]);
  });

  it("closes an open conflict whose task is now absent everywhere (created on both sides, then deleted on both)", () => {
    const plan = reconcile({ base: taskMap(), yaml: taskMap(task("a")), db: taskMap(task("a")), openConflicts: new Set(["gone"]) });
    expect(plan.decisions).toEqual([
      { id: "a", action: "in_sync", task: task("a") },
      { id: "gone", action: "in_sync", task: null },
    ]);
  });

  it("does not modify its input", () => {
    const freeze = (t: Task) => Object.freeze({ ...t, tags: Object.freeze([...t.tags]) as string[] });
    const base = taskMap(freeze(B));
    const yaml = taskMap(freeze(yamlSchedule));
    const db = taskMap(freeze(dbDisabled));
    const plan = reconcile({ base, yaml, db });
    expect(plan.decisions[0]).toMatchObject({ action: "merge", task: bothEdits });
    expect([base.get(ID), yaml.get(ID), db.get(ID)]).toEqual([B, yamlSchedule, dbDisabled]);
  });
});
