import { describe, expect, it } from "vitest";
import { ResolveConflictError, proposeMerge, resolutionTask } from "../../lib/sync/reconcile/resolve-conflict";
import { task } from "./_fixtures";

const base = task("backup");
const yaml = task("backup", { schedule: "0 3 * * *", tags: ["ops", "db"] });
const db = task("backup", { schedule: "0 4 * * *", enabled: false });

describe("resolutionTask", () => {
  it.each([
    { name: "keep_yaml takes the YAML version", conflict: { yaml, db }, resolution: "keep_yaml" as const, expected: yaml },
    { name: "keep_db takes the DB version", conflict: { yaml, db }, resolution: "keep_db" as const, expected: db },
    { name: "keep_yaml of a YAML deletion deletes everywhere", conflict: { yaml: null, db }, resolution: "keep_yaml" as const, expected: null },
    { name: "keep_db of a DB deletion deletes everywhere", conflict: { yaml, db: null }, resolution: "keep_db" as const, expected: null },
  ])("$name", ({ conflict, resolution, expected }) => {
    expect(resolutionTask(conflict, resolution)).toBe(expected);
  });

  it("merge takes the merged task", () => {
    const merged = task("backup", { schedule: "0 5 * * *" });
    expect(resolutionTask({ yaml, db }, "merge", merged)).toBe(merged);
  });

  it("merge of a modify/delete conflict still accepts a task with the conflict's id", () => {
    expect(resolutionTask({ id: "backup", yaml, db: null }, "merge", db)).toBe(db);
  });

  it("merge without a merged task is refused", () => {
    expect(() => resolutionTask({ yaml, db }, "merge")).toThrow(expect.objectContaining({ code: "merged_required" }));
  });

  it("merge with a task of another id is refused", () => {
    const call = () => resolutionTask({ yaml, db }, "merge", task("other"));
    expect(call).toThrow(ResolveConflictError);
    expect(call).toThrow(expect.objectContaining({ code: "merged_id_mismatch" }));
  });
});

describe("proposeMerge", () => {
  it("takes each field from the side that changed it and defaults clashes to YAML", () => {
    expect(proposeMerge(base, yaml, db)).toEqual({
      task: task("backup", { schedule: "0 3 * * *", tags: ["ops", "db"], enabled: false }),
      choices: {
        name: "same",
        schedule: "yaml",
        timezone: "same",
        command: "same",
        enabled: "db",
        description: "same",
        tags: "yaml",
      },
      clashes: ["schedule"],
    });
  });

  it("marks a field both sides changed to the same value as same, not a clash", () => {
    const y = task("backup", { schedule: "0 3 * * *" });
    const d = task("backup", { schedule: "0 3 * * *", description: "nightly" });
    const proposal = proposeMerge(base, y, d);
    expect(proposal.choices).toMatchObject({ schedule: "same", description: "db" });
    expect(proposal.clashes).toEqual([]);
    expect(proposal.task).toEqual(d);
  });

  it("without a base, every differing field is a clash", () => {
    const proposal = proposeMerge(null, yaml, db);
    expect(proposal.clashes).toEqual(["schedule", "enabled", "tags"]);
    expect(proposal.task).toEqual(yaml);
    expect(proposal.choices).toMatchObject({ schedule: "yaml", enabled: "yaml", tags: "yaml", name: "same" });
  });

  it("merges disjoint edits with no clashes", () => {
    const y = task("backup", { name: "Nightly backup" });
    const d = task("backup", { tags: [] });
    expect(proposeMerge(base, y, d)).toMatchObject({ task: task("backup", { name: "Nightly backup", tags: [] }), clashes: [] });
  });

  it("does not modify its arguments", () => {
    const y = Object.freeze(task("backup", { schedule: "0 3 * * *" }));
    const d = Object.freeze(task("backup", { enabled: false }));
    expect(() => proposeMerge(Object.freeze(task("backup")), y, d)).not.toThrow();
    expect(y.enabled).toBe(true);
  });
});
