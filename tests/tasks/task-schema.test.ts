import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { cronError, normalizeCron } from "@/lib/tasks/cron";
import { patchTaskSchema, putTaskSchema, taskSchema } from "@/lib/tasks/task-schema";
import { usage } from "@/cli/usage";

/** Names that a plain object answers for without holding them: the trap of `table[input]`. */
const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype);

const fieldValue = fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), fc.string(), fc.jsonValue());
const taskLike = fc.record(
  {
    id: fieldValue,
    name: fieldValue,
    schedule: fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES, ...PROTOTYPE_NAMES.map((n) => n.toUpperCase())), fieldValue),
    timezone: fieldValue,
    command: fieldValue,
    enabled: fieldValue,
    description: fieldValue,
    tags: fieldValue,
    version: fieldValue,
  },
  { requiredKeys: [] },
);

describe("task schemas on any input", () => {
  test("answer with issues and never throw, whatever the body holds", () => {
    fc.assert(
      fc.property(fc.oneof(taskLike, fc.jsonValue()), (body) => {
        for (const schema of [taskSchema, putTaskSchema, patchTaskSchema]) expect(() => schema.safeParse(body)).not.toThrow();
      }),
      { numRuns: 2000 },
    );
  });

  test.each(PROTOTYPE_NAMES)("a schedule named %s is an invalid cron expression, not a crash", (name) => {
    expect(normalizeCron(name)).toBe(name);
    expect(cronError(name)).toMatch(/expected 5 fields/);
    const result = putTaskSchema.safeParse({ name: "n", schedule: name, command: "c" });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join("."))).toEqual(["schedule"]);
  });

  test("the nicknames still read as their 5-field form", () => {
    expect(normalizeCron(" @Daily ")).toBe("0 0 * * *");
  });
});

describe("help for a command", () => {
  test.each(["constructor", "__proto__", "toString"])("%s is not a command: the overview is shown", (name) => {
    expect(usage(name)).toBe(usage());
  });
});
