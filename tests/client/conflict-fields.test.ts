import { describe, expect, it } from "vitest";
import { conflictFields, describeConflictFields } from "@/lib/client/conflict-fields";
import { sideChanges } from "@/lib/client/plan-values";
import type { Task } from "@/lib/tasks/task-schema";

const base: Task = { id: "t", name: "T", schedule: "0 2 * * *", timezone: "UTC", command: "run", enabled: true, description: null, tags: [] };
const edit = (fields: Partial<Task>): Task => ({ ...base, ...fields });

describe("conflict fields", () => {
  it.each([
    [
      "only Schedule clashes; Command (YAML) and Description (DB) merge",
      base,
      edit({ schedule: "0 4 * * *", command: "run --all" }),
      edit({ schedule: "0 5 * * *", description: "db" }),
      { clash: ["schedule"], fromYaml: ["command"], fromDb: ["description"], deletedIn: null },
      "Schedule was changed differently on both sides; Command (YAML), Description (DB) merge on their own.",
    ],
    ["deleted in the file while the DB changed a field", base, null, edit({ name: "New" }), { clash: [], fromDb: ["name"], deletedIn: "yaml" }, "Deleted in the YAML file, while the database changed Name."],
    ["deleted in the DB while the file still has it unchanged", base, base, null, { clash: [], fromYaml: [], deletedIn: "db" }, "Deleted in the database, while the YAML file still has it."],
    ["created on both sides", null, edit({ name: "A" }), edit({ name: "B" }), { clash: ["name"], createdOnBoth: true }, "Created on both sides with different Name."],
  ] as const)("%s", (_, b, y, d, fields, words) => {
    const result = conflictFields(b, y, d);
    expect(result).toMatchObject(fields);
    expect(describeConflictFields(result)).toBe(words);
  });
});

describe("value-level plan of one decision", () => {
  it("a one-sided write over an edit made on the losing side discards it; over the agreed value it does not", () => {
    const yaml = edit({ command: "run --HAND", name: "T" });
    const db = edit({ name: "From DB" });
    const [change] = sideChanges({ id: "t", action: "write_yaml", task: db, before: yaml }, base);
    expect(change).toMatchObject({ side: "yaml", kind: "update", losses: 1 });
    expect(change!.fields).toEqual([
      { field: "name", before: "T", after: "From DB", discards: false },
      { field: "command", before: "run --HAND", after: "run", discards: true },
    ]);
  });

  it("a deletion is a loss; a creation is not", () => {
    expect(sideChanges({ id: "t", action: "write_db", task: null, before: base }, base)[0]).toMatchObject({ kind: "delete", losses: 1 });
    expect(sideChanges({ id: "t", action: "write_db", task: base, before: null }, null)[0]).toMatchObject({ kind: "create", losses: 0 });
  });

  it("a merge writes each side's fields to the other and loses nothing", () => {
    const yamlBefore = edit({ command: "y" });
    const dbBefore = edit({ name: "d" });
    const merged = edit({ command: "y", name: "d" });
    const changes = sideChanges({ id: "t", action: "merge", task: merged, yamlBefore, dbBefore, fromYaml: ["command"], fromDb: ["name"] }, base);
    expect(changes.map((c) => [c.side, c.fields.map((f) => `${f.field}: ${f.before} → ${f.after}`), c.losses])).toEqual([
      ["yaml", ["name: T → d"], 0],
      ["db", ["command: run → y"], 0],
    ]);
  });
});
