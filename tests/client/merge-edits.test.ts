import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mergeEdits } from "@/lib/client/merge-edits";
import { changedFields, type Task } from "@/lib/tasks/task-schema";

const base: Task = { id: "t", name: "T", schedule: "0 2 * * *", timezone: "UTC", command: "run", enabled: true, description: null, tags: [] };

describe("merging a stale form into the newer version", () => {
  it.each([
    ["disjoint: my description, their schedule", { description: "mine" }, { schedule: "0 3 * * *" }, { patch: { description: "mine" }, mine: ["description"], theirs: ["schedule"], clash: [] }],
    ["the same edit on both sides is no clash", { schedule: "0 3 * * *" }, { schedule: "0 3 * * *" }, { patch: {}, mine: [], theirs: [], clash: [] }],
    ["the same field to different values clashes", { schedule: "0 4 * * *", name: "Mine" }, { schedule: "0 3 * * *" }, { patch: { name: "Mine" }, mine: ["name"], theirs: [], clash: ["schedule"] }],
    ["tags compare by value", { tags: ["a"] }, { tags: ["a"], command: "new" }, { patch: {}, mine: [], theirs: ["command"], clash: [] }],
  ])("%s", (_, mine, theirs, expected) => {
    expect(mergeEdits(base, { ...base, ...mine } as Task, { ...base, ...theirs } as Task)).toEqual(expected);
  });

  it("property: with no clash, theirs plus the patch holds every edit of both", () => {
    const value = fc.record({
      name: fc.constantFrom("T", "A", "B"),
      schedule: fc.constantFrom("0 2 * * *", "0 3 * * *", "0 4 * * *"),
      command: fc.constantFrom("run", "x", "y"),
      enabled: fc.boolean(),
      tags: fc.constantFrom<string[]>([], ["a"], ["a", "b"]),
    });
    fc.assert(
      fc.property(value, value, (m, t) => {
        const mine = { ...base, ...m } as Task;
        const theirs = { ...base, ...t } as Task;
        const merged = mergeEdits(base, mine, theirs);
        fc.pre(merged.clash.length === 0);
        const result = { ...theirs, ...merged.patch } as Task;
        for (const f of changedFields(base, mine)) expect(result[f]).toEqual(mine[f]);
        for (const f of changedFields(base, theirs)) expect(result[f]).toEqual(theirs[f]);
      }),
    );
  });
});
