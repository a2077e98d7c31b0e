import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findAncestor, reconcileWithLineage, serverReverts, type DigestDelta } from "../../lib/sync/reconcile/lineage";
import type { ReconcileOptions, TaskDecision } from "../../lib/sync/reconcile/plan";
import { changedFields, tasksEqual, type Task } from "../../lib/tasks/task-schema";
import { applyPlan } from "./_apply-plan";
import { syncState } from "./_arbitraries";
import { task, taskMap } from "./_fixtures";

/**
 * Lineage, pure (issue #17): which revision a changed file derives from, and what each task's
 * decision is once the file's side is judged against that revision instead of the base.
 */

// Revisions as plain task-id → value-label maps, newest last; a label is the task's command
// and stands for its digest.
type Version = Record<string, string>;
// "a1|other" is command a1 with the name "other".
const labelled = (id: string, label: string | undefined) => {
  if (label === undefined) return null;
  const [command, name] = label.split("|");
  return task(id, name ? { command, name } : { command });
};
function deltasOf(versions: Version[]): { latestId: string; deltas: DigestDelta[] } {
  const deltas: DigestDelta[] = [];
  for (let i = 1; i < versions.length; i++) {
    const before = versions[i - 1];
    const after = versions[i];
    const ids = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((id) => before[id] !== after[id]);
    deltas.unshift({
      id: `r${i}`,
      parentId: `r${i - 1}`,
      changes: ids.map((id) => [id, before[id] ?? null, after[id] ?? null, labelled(id, before[id]), labelled(id, after[id])] as const),
    });
  }
  return { latestId: `r${versions.length - 1}`, deltas };
}
const fileOf = (file: Version) => (id: string) => ({ task: labelled(id, file[id]), digest: file[id] ?? null });
const ancestorOf = (versions: Version[], file: Version) => findAncestor({ ...deltasOf(versions), file: fileOf(file) });

describe("findAncestor: the revision a file derives from", () => {
  const cases: { name: string; versions: Version[]; file: Version; expected: { id: string; behind: number; rebase: string[] } }[] = [
    { name: "no revision but the latest", versions: [{ a: "a1" }], file: { a: "a2" }, expected: { id: "r0", behind: 0, rebase: [] } },
    { name: "the file is the latest revision", versions: [{ a: "a1" }, { a: "a2" }], file: { a: "a2" }, expected: { id: "r1", behind: 0, rebase: [] } },
    { name: "a hand edit of the latest: a new value explains nothing", versions: [{ a: "a1", b: "b1" }, { a: "a2", b: "b1" }], file: { a: "a3", b: "b1" }, expected: { id: "r1", behind: 0, rebase: [] } },
    {
      name: "a stale buffer: the dashboard changed a, the buffer edited b",
      versions: [{ a: "a1", b: "b1" }, { a: "a2", b: "b1" }],
      file: { a: "a1", b: "b2" },
      expected: { id: "r0", behind: 1, rebase: ["a"] },
    },
    {
      name: "three writes old (git checkout of an older file)",
      versions: [{ a: "a1", b: "b1", c: "c1" }, { a: "a2", b: "b1", c: "c1" }, { a: "a2", b: "b2", c: "c1" }, { a: "a2", b: "b2", c: "c2" }],
      file: { a: "a1", b: "b1", c: "c1" },
      expected: { id: "r0", behind: 3, rebase: ["a", "b", "c"] },
    },
    {
      // Absence is no evidence: the file may have deleted x on purpose.
      name: "a task created in the dashboard and absent from the file, with nothing else older",
      versions: [{ a: "a1" }, { a: "a1", x: "x1" }],
      file: { a: "a1" },
      expected: { id: "r1", behind: 0, rebase: [] },
    },
    {
      name: "a task created in the dashboard is absent from a file that is old by its other tasks",
      versions: [{ a: "a1" }, { a: "a2" }, { a: "a2", x: "x1" }],
      file: { a: "a1" },
      expected: { id: "r0", behind: 2, rebase: ["a", "x"] },
    },
    {
      name: "a file replaced on purpose (new tasks only) is not old",
      versions: [{ a: "a1" }, { a: "a1", x: "x1" }, { a: "a1", x: "x1", y: "y1" }],
      file: { n: "n1" },
      expected: { id: "r2", behind: 0, rebase: [] },
    },
    {
      name: "a task deleted in the dashboard is still in a stale file",
      versions: [{ a: "a1", x: "x1" }, { a: "a1" }],
      file: { a: "a1", x: "x1" },
      expected: { id: "r0", behind: 1, rebase: ["x"] },
    },
    {
      name: "the file derives from the middle revision, not the oldest",
      versions: [{ a: "a1", b: "b1" }, { a: "a2", b: "b1" }, { a: "a2", b: "b2" }],
      file: { a: "a2", b: "b1" },
      expected: { id: "r1", behind: 1, rebase: ["b"] },
    },
    {
      name: "a task the file holds as the latest has it is not rebased",
      versions: [{ a: "a1", b: "b1" }, { a: "a2", b: "b2" }],
      file: { a: "a1", b: "b2" },
      // r0 explains a, the latest explains b: a tie keeps the latest.
      expected: { id: "r1", behind: 0, rebase: [] },
    },
    {
      // b changed in between and the file changed it again: judged against the older b, that is a
      // conflict a person sees rather than an overwrite of the change in between.
      name: "ties go to the older revision",
      versions: [{ a: "a1", b: "b1" }, { a: "a1", b: "b2" }, { a: "a2", b: "b2" }],
      file: { a: "a1", b: "b9" },
      expected: { id: "r0", behind: 2, rebase: ["a", "b"] },
    },
    {
      name: "a stale buffer that edited another field of the task the dashboard changed",
      // a1 → a2 in the dashboard (the command); the buffer changed a1's name: no whole task matches.
      versions: [{ a: "a1" }, { a: "a2" }],
      file: { a: "a1|renamed" },
      expected: { id: "r0", behind: 1, rebase: ["a"] },
    },
    {
      name: "between revisions that explain as many tasks, the one closer field by field wins",
      // The buffer held x (since deleted by the dashboard) and edited one of its fields.
      versions: [{ a: "a1", x: "x1" }, { a: "a1" }, { a: "a2" }],
      file: { a: "a1", x: "x2" },
      expected: { id: "r0", behind: 2, rebase: ["a", "x"] },
    },
    {
      name: "a change undone later does not count twice",
      versions: [{ a: "a1" }, { a: "a2" }, { a: "a1" }],
      file: { a: "a2" },
      expected: { id: "r1", behind: 1, rebase: ["a"] },
    },
  ];
  it.each(cases)("$name", ({ versions, file, expected }) => {
    expect(ancestorOf(versions, file)).toMatchObject(expected);
  });

  it("counts fields only of changes the server made: a hand edit reverting one field of an accepted file is an edit", () => {
    // a1 → a2 came from the file (accepted); the file now holds a1's command with a new name.
    const { latestId, deltas } = deltasOf([{ a: "a1" }, { a: "a2" }]);
    const file = fileOf({ a: "a1|renamed" });
    expect(findAncestor({ latestId, deltas, file }).id).toBe("r0");
    expect(findAncestor({ latestId, deltas: deltas.map((d) => ({ ...d, byServer: false })), file }).id).toBe("r1");
  });

  it("serverReverts: a task held as it was before the server's latest change of it, in a file no single revision explains", () => {
    // Server writes a (r1) then b (r2) and c (r3); the file has the old a, the new b and c, and a new d.
    const { latestId, deltas } = deltasOf([{ a: "a1", b: "b1", c: "c1" }, { a: "a2", b: "b1", c: "c1" }, { a: "a2", b: "b2", c: "c1" }, { a: "a2", b: "b2", c: "c2" }]);
    const file = fileOf({ a: "a1", b: "b2", c: "c2", d: "d9" });
    expect(findAncestor({ latestId, deltas, file }).id).toBe("r3");
    const reverts = serverReverts({ latestId, deltas, file }, ["a", "d"]);
    expect([...reverts.keys()]).toEqual(["a"]);
    expect(reverts.get("a")?.command).toBe("a1");
    // Not for a change the file itself made (accepted), nor for a value older than the latest change.
    expect(serverReverts({ latestId, deltas: deltas.map((d) => ({ ...d, byServer: false })), file }, ["a"]).size).toBe(0);
    const twice = deltasOf([{ a: "a1" }, { a: "a2" }, { a: "a3" }]);
    expect(serverReverts({ ...twice, file: fileOf({ a: "a1" }) }, ["a"]).size).toBe(0);
  });

  it("stops at a gap in the chain (a pruned or missing revision)", () => {
    const { latestId, deltas } = deltasOf([{ a: "a1" }, { a: "a2" }, { a: "a3" }]);
    const broken = [deltas[0], { ...deltas[1], id: "elsewhere" }];
    expect(findAncestor({ latestId, deltas: broken, file: fileOf({ a: "a1" }) }).id).toBe("r2");
    expect(findAncestor({ latestId, deltas: broken, file: fileOf({ a: "a2" }) }).id).toBe("r1");
  });

  it("reads a file's digest once per task and only for tasks some delta touched", () => {
    const asked: string[] = [];
    const versions: Version[] = [{ a: "a1" }, { a: "a2" }, { a: "a3", b: "b1" }];
    findAncestor({ ...deltasOf(versions), file: (id) => (asked.push(id), { task: labelled(id, "zz"), digest: "zz" }) });
    expect(asked.sort()).toEqual(["a", "b"]);
  });

  it("property: a file equal to a stored revision has that revision (or one with the same content) as its ancestor", () => {
    // Every version holds every task: a task's absence is no evidence (see findAncestor).
    const version = fc.record({ a: fc.constantFrom("1", "2", "3"), b: fc.constantFrom("1", "2", "3"), c: fc.constantFrom("1", "2", "3") });
    fc.assert(
      fc.property(fc.array(version, { minLength: 1, maxLength: 6 }), fc.nat(), (versions, pick) => {
        const index = pick % versions.length;
        const found = ancestorOf(versions, versions[index]);
        // The chosen revision explains the whole file: equal to the picked one.
        expect(versions[versions.length - 1 - found.behind]).toEqual(versions[index]);
      }),
      { numRuns: 300 },
    );
  });
});

describe("reconcileWithLineage: per task, with A = ancestor, Y = file, D = DB", () => {
  const ID = "backup";
  const A = task(ID, { command: "/opt/v1" });
  const B = task(ID, { command: "/opt/v2" }); // the base: what the latest revision and the DB agreed on
  const otherField = task(ID, { command: "/opt/v1", schedule: "0 5 * * *" });
  const sameField = task(ID, { command: "/opt/v3" });

  type Case = { name: string; a: Task | null; b: Task | null; y: Task | null; d: Task | null; options?: ReconcileOptions; action: TaskDecision["action"]; kept?: boolean; check?: (d: TaskDecision) => void };
  const cases: Case[] = [
    { name: "Y = A, D newer: keep D, write it back", a: A, b: B, y: A, d: B, action: "write_yaml", kept: true, check: (d) => expect(d).toMatchObject({ task: B, before: A }) },
    { name: "Y = A = D: in sync", a: A, b: B, y: A, d: A, action: "in_sync" },
    { name: "Y = A absent, D created it since: keep D", a: null, b: B, y: null, d: B, action: "write_yaml", kept: true, check: (d) => expect(d).toMatchObject({ task: B }) },
    { name: "Y = A present, D deleted it since: keep the deletion", a: A, b: A, y: A, d: null, action: "write_yaml", kept: true, check: (d) => expect(d).toMatchObject({ task: null }) },
    { name: "Y ≠ A, D = A: the file's edit goes to the DB", a: A, b: B, y: otherField, d: A, action: "write_db", check: (d) => expect(d).toMatchObject({ task: otherField }) },
    {
      name: "Y ≠ A on another field than D: merged field by field",
      a: A,
      b: B,
      y: otherField,
      d: B,
      action: "merge",
      check: (d) => expect(d).toMatchObject({ task: task(ID, { command: "/opt/v2", schedule: "0 5 * * *" }), fromYaml: ["schedule"], fromDb: ["command"] }),
    },
    {
      name: "Y ≠ A on the same field as D: a conflict whose base is A",
      a: A,
      b: B,
      y: sameField,
      d: B,
      action: "conflict",
      check: (d) => expect(d).toMatchObject({ kind: "both_modified", base: A, yaml: sameField, db: B, fields: ["command"] }),
    },
    { name: "disjoint fields without auto-merge: a conflict whose base is A", a: A, b: B, y: otherField, d: B, options: { autoMerge: false }, action: "conflict", check: (d) => expect(d).toMatchObject({ base: A }) },
    { name: "Y ≠ A, file deleted it, D changed it: delete vs modify", a: A, b: B, y: null, d: B, action: "conflict", check: (d) => expect(d).toMatchObject({ kind: "delete_modify", base: A }) },
    { name: "yaml_to_db: the file wins, its history does not matter", a: A, b: B, y: A, d: B, options: { direction: "yaml_to_db" }, action: "write_db" },
  ];
  it.each(cases)("$name", ({ a, b, y, d, options, action, kept, check }) => {
    const plan = reconcileWithLineage({ base: taskMap(b), yaml: taskMap(y), db: taskMap(d), ancestor: new Map([[ID, a]]) }, options);
    const decision = plan.decisions.find((x) => x.id === ID)!;
    expect(decision.action).toBe(action);
    expect(plan.keptNewer).toEqual(kept ? [ID] : []);
    check?.(decision);
  });

  it("a task absent from the ancestor, the file and the DB is decided in sync (its base goes)", () => {
    const plan = reconcileWithLineage({ base: taskMap(B), yaml: taskMap(), db: taskMap(), ancestor: new Map([[ID, null]]) });
    expect(plan.decisions).toEqual([{ id: ID, action: "in_sync", task: null }]);
  });

  it("a task outside the ancestor map is decided as reconcile decides it", () => {
    const other = task("other", { command: "/old" });
    const plan = reconcileWithLineage({ base: taskMap(B, other), yaml: taskMap(A, task("other", { command: "/new" })), db: taskMap(B, other), ancestor: new Map([[ID, A]]) });
    expect(plan.decisions.map((d) => [d.id, d.action])).toEqual([
      [ID, "write_yaml"],
      ["other", "write_db"],
    ]);
  });

  it("property: with the ancestor as the file's base, no edit of either side is lost", () => {
    const same = (x: Task | null, y: Task | null) => (x === null || y === null ? x === y : tasksEqual(x, y));
    fc.assert(
      fc.property(syncState, syncState, (ancestorState, other) => {
        // A per task from one state; the file and DB sides are edits of A; the stored base is unrelated.
        const { base: ancestors, yaml, db } = ancestorState;
        const ids = [...new Set([...ancestors.keys(), ...yaml.keys(), ...db.keys()])];
        const ancestor = new Map(ids.map((id) => [id, ancestors.get(id) ?? null] as const));
        const plan = reconcileWithLineage({ base: other.base, yaml, db, ancestor });
        const after = applyPlan({ base: other.base, yaml, db, open: new Set() }, plan);
        for (const id of ids) {
          const a = ancestor.get(id)!;
          const y = yaml.get(id) ?? null;
          const d = db.get(id) ?? null;
          if (after.open.has(id)) continue; // both sides untouched, in a conflict a person sees
          const finalDb = after.db.get(id) ?? null;
          expect(same(finalDb, after.yaml.get(id) ?? null)).toBe(true);
          // The file did not change it: the DB's value stands.
          if (same(y, a)) expect(same(finalDb, d)).toBe(true);
          // Each side's changed fields survive.
          for (const [side, value] of [["yaml", y], ["db", d]] as const) {
            if (same(value, a)) continue;
            if (value === null || a === null || finalDb === null) {
              expect(same(finalDb, value) || same(y, d)).toBe(true);
              continue;
            }
            for (const field of changedFields(a, value)) expect(finalDb[field], `${side} ${field}`).toEqual(value[field]);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
