import fc from "fast-check";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isMap, isPair, isSeq, type Node } from "yaml";
import type { Task } from "../../../lib/tasks/task-schema";
import { applySchedulePatch, createScheduleStore, parseSchedule, taskSourceText, type ParseResult } from "../../../lib/yaml";
import { diffEdits, ownDocument, reparseSchedule } from "../../../lib/yaml/fast/reparse-schedule";
import { goldenSchedule, makeTask, taskArb, useTempDir, yaml } from "../_helpers";

/**
 * The cheap path (re-parse only the edited tasks) against the reference (parse the whole file):
 * whenever the re-parse answers, its tasks, order, metadata and node ranges are the full parse's.
 */

type ParsedOk = Extract<ParseResult, { ok: true }>;

function full(text: string): ParsedOk {
  const result = parseSchedule(text);
  if (!result.ok) throw new Error(`does not parse: ${JSON.stringify(result.issues[0])}\n${text}`);
  return result;
}

/** Every node range under `tasks` and `metadata`, in document order. */
function ranges(parsed: ParsedOk): string {
  const out: string[] = [];
  const walk = (node: unknown, path: string) => {
    if (!node || typeof node !== "object") return;
    out.push(`${path} ${(node as Node).range?.join(",")}`);
    if (isMap(node) || isSeq(node)) {
      node.items.forEach((item, i) => {
        if (isPair(item)) {
          walk(item.key, `${path}/${i}k`);
          walk(item.value, `${path}/${i}v`);
        } else walk(item, `${path}/${i}`);
      });
    }
  };
  walk(parsed.doc.get("tasks", true), "tasks");
  walk(parsed.doc.get("metadata", true), "metadata");
  return out.join("\n");
}

function expectSameParse(cheap: ParsedOk, text: string): void {
  const reference = full(text);
  expect([...cheap.tasks]).toEqual([...reference.tasks]);
  expect(cheap.order).toEqual(reference.order);
  expect(cheap.metadata).toEqual(reference.metadata);
  expect(cheap.checksum).toBe(reference.checksum);
  expect(ranges(cheap)).toBe(ranges(reference));
  for (const id of reference.order) expect(taskSourceText(cheap.doc, text, id)).toBe(taskSourceText(reference.doc, text, id));
}

const isReparsed = (parsed: ParsedOk) => Object.getOwnPropertyDescriptor(parsed, "doc")?.get !== undefined;

/** Files laid out the ways people write them. */
const generated = (n: number, opts: { metadata: "end" | "first" | "none"; crlf?: boolean; indent?: number }) => {
  const pad = " ".repeat(opts.indent ?? 2);
  const lines: string[] = ["# generated", "version: 1"];
  const meta = ["metadata:", `${pad}sync_source: db`, `${pad}checksum: sha256:abc   # stale on purpose`];
  if (opts.metadata === "first") lines.push(...meta);
  lines.push("tasks:");
  for (let i = 0; i < n; i++) {
    if (i % 4 === 1) lines.push("");
    if (i % 3 === 0) lines.push(`${pad}# task ${i}`);
    lines.push(`${pad}t${i}:`);
    lines.push(`${pad}${pad}name: ${i % 2 ? `"Task ${i}"` : `Task ${i}`}`);
    lines.push(`${pad}${pad}schedule: '${i % 60} * * * *'`);
    lines.push(`${pad}${pad}command: /bin/t${i}`);
    if (i % 5 === 0) lines.push(`${pad}${pad}description: |`, `${pad}${pad}${pad}line one`, `${pad}${pad}${pad}line two`);
    if (i % 4 === 0) lines.push(`${pad}${pad}tags:`, `${pad}${pad}${pad}- a${i}`, `${pad}${pad}${pad}- b`);
    if (i % 4 === 2) lines.push(`${pad}${pad}tags: [x, y${i}]   # flow`);
    if (i % 6 === 0) lines.push(`${pad}${pad}# trailing comment of t${i}`);
  }
  if (opts.metadata === "end") lines.push("# footer before metadata", ...meta);
  const text = lines.join("\n") + "\n";
  return opts.crlf ? text.replace(/\n/g, "\r\n") : text;
};

const simple = yaml`
  version: 1
  tasks:
    alpha:                  # first
      name: Alpha
      schedule: "0 1 * * *"
      command: /bin/alpha
    beta:
      name: 'Beta'
      schedule: '*/5 * * * *'
      command: /bin/beta
      description: >-
        folded
        text
`;

const starts = [
  goldenSchedule,
  goldenSchedule.replace(/\n/g, "\r\n"),
  simple,
  generated(12, { metadata: "end" }),
  generated(9, { metadata: "first", indent: 4 }),
  generated(7, { metadata: "none", crlf: true }),
];

describe("reparseSchedule equals a full parse", () => {
  it("after every patch the store makes, chained the way the store chains them", () => {
    let reparsed = 0;
    let patches = 0;
    const ids = ["alpha", "beta", "daily-backup", "hourly-health-check", "weekly-report", "t0", "t1", "t5", "t6", "t8", "new-one", "new-two"];
    const op = fc.oneof(
      fc.record({ upsert: fc.uniqueArray(taskArb(fc.constantFrom(...ids)), { maxLength: 3, selector: (task) => task.id }) }),
      fc.record({ delete: fc.uniqueArray(fc.constantFrom(...ids), { maxLength: 2 }) }),
      fc.record({ upsert: fc.uniqueArray(taskArb(fc.constantFrom(...ids)), { maxLength: 1, selector: (task) => task.id }), stamp: fc.constant(true) }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...starts), fc.array(op, { minLength: 1, maxLength: 8 }), (initial, ops) => {
        let text = initial;
        let parsed = full(text);
        ownDocument(parsed);
        for (const step of ops) {
          const upsert = (step as { upsert?: Task[] }).upsert ?? [];
          const del = ((step as { delete?: string[] }).delete ?? []).filter((id) => !upsert.some((task) => task.id === id));
          const out = applySchedulePatch(
            { text, parsed },
            { upsert, delete: del, ...((step as { stamp?: boolean }).stamp ? { metadata: { sync_source: "db" as const } } : {}) },
          );
          if (!out.changed) continue;
          patches++;
          if (isReparsed(out.parsed!)) reparsed++;
          expectSameParse(out.parsed!, out.text);
          text = out.text;
          parsed = out.parsed!;
          ownDocument(parsed);
        }
      }),
      { numRuns: 300 },
    );
    // Most patches must take the cheap path, or the point of it is lost.
    expect(reparsed / patches).toBeGreaterThan(0.75);
  }, 60_000);

  it("after random hand edits, whenever it answers (and it answers for most single-task edits)", () => {
    const snippets = [
      "    name: Edited",
      "    command: /bin/edited   # comment",
      "    enabled: false",
      "    tags: [p, q]",
      "    description: |",
      "      block line",
      "    description: |+",
      "  # a comment at the task column",
      "      # a deep comment",
      "# a comment at column 0",
      "",
      "  new-task:",
      "  t1:",
      "  alpha:",
      "    x: &anchor 1",
      "    command: *anchor",
      "---",
      "%YAML 1.1",
      "metadata:",
      "  sync_source: merge",
      "    sync_source: merge",
      "  checksum: sha256:0123456789abcdef",
      "    checksum: x",
      "version: 2",
      "   odd-indent: 1",
      "\tname: tab",
      "  weird: {a: 1",
      "    name: 'unclosed",
      "    bogus: 1",
    ];
    let answered = 0;
    let singleLine = 0;
    let singleLineAnswered = 0;
    const edit = fc.record({
      kind: fc.constantFrom("insert", "delete", "replace", "chars"),
      at: fc.nat(),
      snippet: fc.constantFrom(...snippets),
      chars: fc.string({ maxLength: 6 }),
    });
    fc.assert(
      fc.property(fc.constantFrom(...starts), fc.array(edit, { minLength: 1, maxLength: 3 }), (initial, edits) => {
        const prev = full(initial);
        const lines = initial.split("\n");
        for (const e of edits) {
          const i = e.at % lines.length;
          if (e.kind === "insert") lines.splice(i, 0, e.snippet);
          else if (e.kind === "delete") lines.splice(i, 1);
          else if (e.kind === "replace") lines[i] = e.snippet;
          else lines[i] = lines[i]!.slice(0, e.at % (lines[i]!.length + 1)) + e.chars + lines[i]!.slice(e.at % (lines[i]!.length + 1));
        }
        const next = lines.join("\n");
        if (next === initial) return;
        const cheap = reparseSchedule({ text: initial, parsed: prev }, next);
        const reference = parseSchedule(next);
        if (edits.length === 1 && edits[0]!.kind === "replace" && edits[0]!.snippet === "    name: Edited" && reference.ok) {
          singleLine++;
          if (cheap) singleLineAnswered++;
        }
        if (!cheap) return;
        answered++;
        expect(reference.ok).toBe(true);
        expectSameParse(cheap, next);
      }),
      { numRuns: 3000 },
    );
    expect(answered).toBeGreaterThan(100);
    if (singleLine > 5) expect(singleLineAnswered / singleLine).toBeGreaterThan(0.6);
  }, 60_000);

  it("refuses what it cannot prove: anchors, keep-chomping scalars, directives, edits to version, repeated ids", () => {
    const base = full(simple);
    const cases = [
      simple.replace("name: Alpha", "name: &n Alpha"),
      simple.replace("name: Alpha", "name: Alpha\n      description: |+\n        kept\n"),
      simple.replace("version: 1", "version: 2"),
      simple.replace("  beta:", "  alpha:"),
      simple.replace("name: Alpha", "name: Alpha\n---"),
    ];
    for (const next of cases) expect(reparseSchedule({ text: simple, parsed: base }, next)).toBeNull();
    const anchored = simple.replace("command: /bin/alpha", "command: &c /bin/alpha").replace("command: /bin/beta", "command: *c");
    const withAnchor = full(anchored);
    expect(reparseSchedule({ text: anchored, parsed: withAnchor }, anchored.replace("/bin/alpha", "/bin/other"))).toBeNull();
  });

  it("moves every later node when a unit changes length, wherever the metadata block is", () => {
    for (const initial of [generated(6, { metadata: "first" }), generated(6, { metadata: "end" }), generated(6, { metadata: "first", indent: 4 })]) {
      for (const next of [
        initial.replace("sha256:abc", "sha256:abcdefghijkl"),
        initial.replace("sha256:abc", "x"),
        initial.replace("command: /bin/t2", "command: /bin/t2-with-a-longer-name").replace("sha256:abc", "sha256:0123456789"),
        initial.replace("name: Task 0", "name: T0"),
      ]) {
        const prev = full(initial);
        ownDocument(prev);
        const cheap = reparseSchedule({ text: initial, parsed: prev }, next);
        expect(cheap).not.toBeNull();
        expectSameParse(cheap!, next);
      }
    }
  });

  it("splits a changed task and a new metadata stamp into two small edits", () => {
    const text = generated(40, { metadata: "end" });
    const next = text.replace("command: /bin/t3\n", "command: /bin/t3-edited\n").replace("checksum: sha256:abc", "checksum: sha256:def");
    const prev = full(text);
    const edits = diffEdits(text, next, {
      regions: (prev.doc.contents as { items: { key: Node }[] }).items.map((pair) => ({
        key: String((pair.key as { value: unknown }).value),
        start: pair.key.range![0],
      })),
    });
    expect(edits).toHaveLength(2);
    expect(edits.every((e) => e.end - e.start < 100)).toBe(true);
    const cheap = reparseSchedule({ text, parsed: prev }, next);
    expect(cheap).not.toBeNull();
    expectSameParse(cheap!, next);
  });
});

describe("the store's cache", () => {
  const setup = useTempDir();

  it("reads back what a full parse of the file says, through writes and hand edits in any order", async () => {
    const dir = await setup();
    const path = join(dir, "schedule_config.yml");
    const ids = ["t0", "t2", "t4", "t7", "n1", "n2"];
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.record({ write: taskArb(fc.constantFrom(...ids)) }),
            fc.record({ remove: fc.constantFrom(...ids) }),
            fc.record({ hand: fc.constantFrom(...ids), name: fc.constantFrom("By hand", "Another", "x y z") }),
          ),
          { minLength: 1, maxLength: 6 },
        ),
        async (steps) => {
          await writeFile(path, generated(8, { metadata: "end" }));
          const store = createScheduleStore({ path, keepBackups: 0 });
          for (const step of steps) {
            if ("write" in step) await store.write({ upsert: [step.write], metadata: { sync_source: "db" } });
            else if ("remove" in step) await store.write({ delete: [step.remove], metadata: { sync_source: "db" } });
            else {
              // A hand edit: rename one task, as an editor would save it.
              const text = await readFile(path, "utf8");
              const at = text.indexOf(`\n  ${step.hand}:\n`);
              if (at === -1) continue;
              const nameAt = text.indexOf("name: ", at);
              const lineEnd = text.indexOf("\n", nameAt);
              await writeFile(path, text.slice(0, nameAt) + `name: ${step.name}` + text.slice(lineEnd));
            }
            const read = await store.read();
            expect(read.status).toBe("ok");
            if (read.status !== "ok") return;
            const text = await readFile(path, "utf8");
            const reference = full(text);
            expect([...read.tasks]).toEqual([...reference.tasks]);
            expect(read.checksum).toBe(reference.checksum);
            for (const id of reference.order) expect(taskSourceText(read.doc, read.text, id)).toBe(taskSourceText(reference.doc, text, id));
          }
        },
      ),
      { numRuns: 25 },
    );
  }, 60_000);

  it("hands out tasks that cannot be changed (by anyone), and a Document of the caller's own", async () => {
    const dir = await setup();
    const path = join(dir, "s.yml");
    const store = createScheduleStore({ path });
    await store.write({ upsert: [makeTask("a"), makeTask("b")] });
    const read = await store.read();
    if (read.status !== "ok") throw new Error(read.status);
    expect(() => {
      (read.tasks.get("a") as { name: string }).name = "changed";
    }).toThrow(TypeError);
    expect(() => read.tasks.delete("a")).toThrow(TypeError);
    new Map(read.tasks).delete("a");
    read.doc.deleteIn(["tasks", "b"]);
    const again = await store.read();
    expect(again.status === "ok" && [...again.tasks.keys()]).toEqual(["a", "b"]);
    expect(again.status === "ok" && taskSourceText(again.doc, again.text, "b")).toContain("b:");
  });
});
