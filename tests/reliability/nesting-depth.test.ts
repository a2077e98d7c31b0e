import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { parseSchedule } from "@/lib/yaml";
import { nestingBeyond } from "@/lib/yaml/parse/nesting-depth";

/** The pre-parse nesting guard of the YAML bomb defence: it must never refuse a plausible file. */
describe("nestingBeyond", () => {
  it.each([
    ["flow lists and maps", "tags: [ops, [a, {b: [c]}]]\n"],
    ["brackets in plain scalars", "command: echo [[[[[[ {{{{{ ]]]\n"],
    ["brackets in quoted scalars", `a: "${"[".repeat(200)}"\nb: '${"{".repeat(200)}'\nc: 'it''s [[['\n`],
    ["brackets in comments", `# ${"[".repeat(200)}\na: 1 # ${"{".repeat(200)}\n`],
    ["brackets in block scalars", `a: |\n  ${"[".repeat(200)}\n  ${"- ".repeat(200)}\nb: >-\n  ${"{".repeat(200)}\nc: 1\n`],
    ["a flow plain scalar with an apostrophe", "tags: [don't, won't]\n"],
    ["dashes that are not entries", "a: -1\nb: --flag\nc: ---\n"],
  ])("lets %s through", (_, text) => {
    expect(nestingBeyond(text, 64)).toBe(-1);
  });

  it.each([
    ["flow sequences", `x: ${"[".repeat(65)}`, 3 + 64],
    ["flow maps", `x: ${"{a: ".repeat(65)}`, 3 + 64 * 4],
    ["stacked block entries", `x:\n  ${"- ".repeat(65)}1`, 5 + 64 * 2],
  ])("stops %s at the first level past the limit", (_, text, offset) => {
    expect(nestingBeyond(text, 64)).toBe(offset);
  });

  it("never refuses what the yaml library writes for data nested up to 20 levels, in block or flow style", () => {
    const leaf = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null));
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof({ depthSize: "small", maxDepth: 20 }, leaf, fc.array(tie("tree"), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), tie("tree"), { maxKeys: 3 })),
    }));
    fc.assert(
      fc.property(tree, fc.boolean(), (value, flow) => {
        const text = stringify({ v: value }, { collectionStyle: flow ? "flow" : "block" });
        expect(nestingBeyond(text, 64), text).toBe(-1);
      }),
      { numRuns: 300 },
    );
  });

  it("makes parseSchedule refuse a deep file in well under a second", () => {
    const started = performance.now();
    const result = parseSchedule(`version: 1\ntasks: {}\nx: ${"[".repeat(2_000_000)}`, { maxBytes: 10_000_000 });
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(!result.ok && result.issues[0]).toMatchObject({ code: "too_deep", line: 3, column: 68 });
  });
});
