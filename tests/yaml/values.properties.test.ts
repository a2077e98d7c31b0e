import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Lexer, parse } from "yaml";
import { createTaskSchema, taskBodySchema, type Task } from "../../lib/tasks/task-schema";
import { applySchedulePatch, parseSchedule, YamlStoreError, type ParseResult } from "../../lib/yaml";
import { clearTaskBodyMemo, validateTaskBody } from "../../lib/yaml/parse/validate-task-body";
import { makeTask, yaml } from "./_helpers";

/**
 * Properties over the whole value space (issue #22): whatever the API's schema accepts, every
 * writer writes and reads back equal, in YAML 1.2 and for a YAML 1.1 reader; whatever the
 * schema refuses, no writer writes; and what a file holds is accepted or refused the same way
 * whatever was validated before.
 */

type ParsedOk = Extract<ParseResult, { ok: true }>;

function parsedOk(text: string): ParsedOk {
  const result = parseSchedule(text);
  if (!result.ok) throw new Error(`does not parse: ${JSON.stringify(result.issues)}\n${JSON.stringify(text)}`);
  return result;
}

// ---- the value space --------------------------------------------------------------------

/** One code point of each class a value can hold, as a string (a lone surrogate is one UTF-16 unit). */
const codePoint = fc.oneof(
  fc.integer({ min: 0x20, max: 0x7e }), // printable ASCII, YAML's indicators among them
  fc.constantFrom(0x09, 0x0a, 0x0d), // tab and line breaks
  fc.integer({ min: 0x00, max: 0x1f }), // C0 controls (NUL included)
  fc.constant(0x7f), // DEL
  fc.integer({ min: 0x80, max: 0x9f }), // C1 controls, NEL among them
  fc.constantFrom(0xa0, 0xad, 0xe9, 0x301, 0x5d0, 0x65e5), // NBSP, soft hyphen, letters, a combining mark, Hebrew, CJK
  fc.constantFrom(0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069), // bidi controls
  fc.constantFrom(0x200b, 0x200c, 0x200d, 0x2060, 0xfeff), // zero-width, BOM
  fc.constantFrom(0x2028, 0x2029), // line and paragraph separators
  fc.integer({ min: 0xd800, max: 0xdfff }), // lone surrogates
  fc.constantFrom(0xfdd0, 0xfffd, 0xfffe, 0xffff), // noncharacters, the replacement character
  fc.constantFrom(0x1f600, 0x1fffe, 0x10ffff, 0xe000), // astral: emoji, noncharacters; private use
);
const unit = codePoint.map((cp) => (cp >= 0xd800 && cp <= 0xdfff ? String.fromCharCode(cp) : String.fromCodePoint(cp)));

/** Strings YAML readers take for something else: YAML 1.1 keywords, numbers, dates, indicators. */
const lookalikes = [
  "yes", "no", "on", "off", "y", "n", "Y", "N", "YES", "No", "True", "FALSE", "true", "false", "~", "null", "Null", "NULL", "",
  "007", "7", "-0", "+1", "1e3", "1E3", "0x1f", "0o17", "0b101", "010", ".5", "1.", "1_000", "1:20", "190:20:30.15", "-.inf", ".NaN", ".nan", ".inf",
  "2001-12-14", "2001-1-1", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5", "=", "<<", "!", "&a", "*a", "? x", "- x", "%x", "@x", "`x",
  "#x", "a #b", "a: b", "[a]", "{a}", "|", ">", "'", '"', "---", "...", "\\", "\\n", " lead", "trail ", "two\nlines", "tab\there",
];
const lookalike = fc.constantFrom(...lookalikes);
const textOf = (units: fc.Arbitrary<string>) =>
  fc.oneof(
    lookalike,
    fc.string({ unit: units, minLength: 1, maxLength: 12 }),
    fc.tuple(lookalike, fc.string({ unit: units, maxLength: 4 }), lookalike).map((parts) => parts.join("")),
    // Long enough (40+) for the library to break double-quoted text over lines.
    fc.array(fc.oneof(lookalike, fc.string({ unit: units, maxLength: 12 }), fc.constant("\n")), { minLength: 6, maxLength: 16 }).map((parts) => parts.join(" ")),
  );
/** Units the schema takes in every field: printable text, tabs and line breaks, DEL and the C1 controls, letters, marks, emoji. */
const storableUnit = fc
  .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.constantFrom(0x09, 0x0a, 0x7f, 0x80, 0x85, 0x9f, 0xa0, 0xe9, 0x301, 0x5d0, 0x65e5, 0x1f600, 0xe000))
  .map((cp) => String.fromCodePoint(cp));
/**
 * Every class, NUL and lone surrogates too (the schema refuses those: no store can hold them;
 * and invisible format characters, issue #14). Weighted so that about a third of the tasks
 * the arbitraries make are ones the API accepts.
 */
const text = fc.oneof(
  { weight: 1, arbitrary: textOf(unit) },
  { weight: 1, arbitrary: textOf(unit.filter((u) => u !== "\0" && !/^[\uD800-\uDFFF]$/.test(u))) },
  { weight: 6, arbitrary: textOf(storableUnit) },
);

/** Anything JSON or YAML can hand the schema, and what they cannot. */
const other = fc.constantFrom<unknown>(
  NaN, Infinity, -Infinity, -0, 0, 1.5, 7, true, false, null, undefined,
  new Date("2001-12-14T00:00:00.000Z"), new Date(NaN), [], ["x"], {}, { a: 1 },
);
const anyValue = fc.oneof({ weight: 4, arbitrary: text }, { weight: 1, arbitrary: other });

const schedule = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom("0 * * * *", "*/5 * * * *", "0 9 * * 1-5", "  0  2 * * *  ", "*/10 * * * * *") },
  { weight: 1, arbitrary: anyValue },
);
const timezone = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom("UTC", "Europe/Berlin", "America/New_York") },
  { weight: 1, arbitrary: anyValue },
);
const tags = fc.oneof(
  { weight: 5, arbitrary: fc.uniqueArray(fc.oneof(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,8}$/), fc.constantFrom("yes", "on", "007", "1e3", "null", "2001-12-14")), { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.array(anyValue, { maxLength: 2 }) },
  { weight: 1, arbitrary: other },
);
const ids = fc.oneof(fc.constantFrom("a", "007", "yes", "y", "n", "null", "1e3", "0x1f", "2001-12-14", "1_000", "on", "task-1"), fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,8}$/));

/** An API request body for a task: each field from the whole value space, or left out. */
const taskInput = fc.record(
  {
    id: fc.oneof({ weight: 8, arbitrary: ids }, { weight: 1, arbitrary: anyValue }),
    name: anyValue,
    schedule,
    timezone,
    command: anyValue,
    enabled: fc.oneof({ weight: 3, arbitrary: fc.boolean() }, { weight: 1, arbitrary: anyValue }),
    description: fc.oneof(fc.constant(null), anyValue),
    tags,
  },
  { requiredKeys: ["id", "name", "schedule", "command"] },
);

// ---- the writers ------------------------------------------------------------------------

/** A task already in each file, written in a style the new value may or may not keep (block scalar, single quotes, block list). */
const EXISTING = "old";
const blockFile = yaml`
  # block layout: the in-place patcher
  version: 1
  tasks:
    old:
      name: 'Old one'
      schedule: "0 1 * * *"
      command: >-
        /bin/old
      description: |
        two
        lines
      tags:
        - a
        - b
    keep:   # never touched
      name: Keep
      schedule: "0 2 * * *"
      command: /bin/keep
`;
const flowFile = '# flow layout: the node patcher\r\nversion: 1\r\ntasks: {old: {name: \'Old one\', schedule: "0 1 * * *", command: /bin/old, tags: [a, b]}, keep: {name: Keep, schedule: "0 2 * * *", command: /bin/keep}}   # end\r\n';
const explicitFile = yaml`
  version: 1
  tasks:
    ? old
    : name: Old one   # explicit key: the node patcher
      schedule: "0 1 * * *"
      command: /bin/old
      description: |  # header comment
        two
    keep:
      name: Keep
      schedule: "0 2 * * *"
      command: /bin/keep
`;
const rootFlowFile = '\uFEFF{version: 1, tasks: {old: {name: Old one, schedule: "0 1 * * *", command: /bin/old}, keep: {name: Keep, schedule: "0 2 * * *", command: /bin/keep}}}\n';

type Writer = { name: string; via: string; id?: string; write: (task: Task) => { text: string; via?: string } };

function onFile(file: string, id: (task: Task) => string): (task: Task) => { text: string; via?: string } {
  const parsed = parsedOk(file);
  return (task) => applySchedulePatch({ text: file, parsed }, { upsert: [{ ...task, id: id(task) }], metadata: { sync_source: "db" } });
}

const writers: Writer[] = [
  { name: "new file", via: "new_file", write: (task) => applySchedulePatch(null, { upsert: [task] }) },
  { name: "in place, new task", via: "in_place", write: onFile(blockFile, (task) => task.id) },
  { name: "in place, existing task", via: "in_place", id: EXISTING, write: onFile(blockFile, () => EXISTING) },
  { name: "by node, flow, new task", via: "document", write: onFile(flowFile, (task) => task.id) },
  { name: "by node, flow, existing task", via: "document", id: EXISTING, write: onFile(flowFile, () => EXISTING) },
  { name: "by node, explicit keys, existing task", via: "document", id: EXISTING, write: onFile(explicitFile, () => EXISTING) },
  { name: "whole document, existing task", via: "reformat", id: EXISTING, write: onFile(rootFlowFile, () => EXISTING) },
];

/** Not printable in YAML (c-printable), or printable but written only as an escape by our writers. */
const NOT_WRITTEN_RAW = /[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]|[\x7F-\x9F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2064\u2066-\u2069\uFFFE\uFFFF]/u;

function expectReadBack(text: string, task: Task): void {
  const back = parsedOk(text);
  expect(back.tasks.get(task.id)).toEqual(task);
  // A YAML 1.1 reader (PyYAML's resolution rules) sees the same strings and booleans under the same id.
  const theirs = (parse(text.replace(/^\uFEFF/, ""), { version: "1.1" }) as { tasks: Record<string, Record<string, unknown>> }).tasks[task.id];
  expect(theirs).toBeDefined();
  expect({ ...theirs, timezone: theirs!.timezone ?? "UTC", enabled: theirs!.enabled ?? true, description: theirs!.description ?? null, tags: theirs!.tags ?? [] }).toEqual({
    name: task.name,
    schedule: task.schedule,
    timezone: task.timezone,
    command: task.command,
    enabled: task.enabled,
    description: task.description,
    tags: task.tags,
  });
  // No raw character a reader may refuse or not show (the byte order mark only at the very start).
  expect(text.replace(/^\uFEFF/, "")).not.toMatch(NOT_WRITTEN_RAW);
}

describe("every value the API accepts is written by every writer and read back equal", () => {
  it.each(writers)("$name", ({ via, id, write }) => {
    let accepted = 0;
    fc.assert(
      fc.property(taskInput, (generated) => {
        const input = id ? { ...generated, id } : generated;
        const parsed = createTaskSchema.safeParse(input);
        let out: { text: string; via?: string };
        try {
          out = write(input as Task);
        } catch (error) {
          // What the schema refuses no writer writes; nothing but a YamlStoreError comes out.
          expect(error).toBeInstanceOf(YamlStoreError);
          expect((error as YamlStoreError).code).toBe("invalid_result");
          expect(parsed.success).toBe(false);
          return;
        }
        expect(parsed.success).toBe(true);
        if (!parsed.success) return;
        accepted++;
        expect(out.via).toBe(via);
        expectReadBack(out.text, parsed.data);
      }),
      { numRuns: 300 },
    );
    expect(accepted).toBeGreaterThan(30);
  });

  // Found by the property above (seed 328818089): the file's `>-` command could not hold it.
  it.each(["yes \n yes  \n \n!", " leading space\nsecond", "a\n \nb", "trailing \nspace"])(
    "a field written in a block style takes %j, which that style cannot hold, and reads back equal",
    (value) => {
      for (const field of ["command", "description"] as const) {
        const task = createTaskSchema.parse({ id: EXISTING, name: "n", schedule: "0 1 * * *", command: "/bin/c", [field]: value });
        for (const { write } of writers.filter((w) => w.id === EXISTING)) expectReadBack(write(task).text, task);
      }
    },
  );

  it("the tasks a write does not touch keep their text byte for byte", () => {
    for (const file of [blockFile, flowFile, explicitFile]) {
      const write = onFile(file, () => EXISTING);
      fc.assert(
        fc.property(taskInput, (input) => {
          const parsed = createTaskSchema.safeParse({ ...input, id: EXISTING });
          if (!parsed.success) return;
          const out = write(parsed.data);
          const keep = file.includes("keep:   # never touched")
            ? '  keep:   # never touched\n    name: Keep\n    schedule: "0 2 * * *"\n    command: /bin/keep\n'
            : file.includes("keep: {")
              ? 'keep: {name: Keep, schedule: "0 2 * * *", command: /bin/keep}}   # end\r\n'
              : '  keep:\n    name: Keep\n    schedule: "0 2 * * *"\n    command: /bin/keep\n';
          expect(out.text).toContain(keep);
          expect(out.text.startsWith(file.slice(0, file.indexOf("tasks:")))).toBe(true);
        }),
        { numRuns: 100 },
      );
    }
  });
});

// ---- the validation memo ----------------------------------------------------------------

/** The verdict on a body, as data to compare: the normalized task, or the issues' paths and messages. */
function verdict(result: { success: true; data: unknown } | { success: false; issues: { path: PropertyKey[]; message: string }[] }): unknown {
  return result.success ? { data: result.data } : { issues: result.issues.map((issue) => [issue.path.map(String), issue.message]) };
}

describe("what was validated before never changes an outcome", () => {
  it("validateTaskBody answers as the schema does, whatever bodies came before", () => {
    const body = taskInput.map(({ id: _id, ...rest }) => rest as Record<string, unknown>);
    fc.assert(
      fc.property(fc.array(body, { minLength: 1, maxLength: 12 }), (bodies) => {
        // Bodies often differ in one field only, from values JSON would conflate.
        const variants = bodies.flatMap((b) => [b, { ...bodies[0], description: b.description }]);
        for (const each of variants) {
          const reference = taskBodySchema.safeParse(each);
          expect(verdict(validateTaskBody(each))).toEqual(verdict(reference.success ? reference : { success: false, issues: reference.error.issues }));
        }
      }),
      { numRuns: 300 },
    );
  });

  /** YAML scalars that other values' JSON coincides with, and the tags that make them. */
  const yamlScalar = fc.constantFrom(
    "~", "null", "''", '""', ".nan", ".NaN", ".inf", "-.inf", "+.inf", "0", "-0", "0.0", "-0.0", "1e3", "1000", "true", "yes", "'yes'",
    "!!timestamp 2001-12-14", '"2001-12-14T00:00:00.000Z"', "2001-12-14", "!!str 2001-12-14", "!!float 1", "!!int 1", "!!null ''", "!!str ~",
    "!!binary aGk=", "[]", "{}", "[x]", "'x'", "x",
  );
  const field = fc.constantFrom("name", "description", "command", "timezone", "enabled", "tags", "schedule");

  it("a file is accepted or refused the same way whatever files were read before", () => {
    const file = ([f, value]: [string, string]) => {
      const fields: Record<string, string> = { name: "N", schedule: '"0 * * * *"', command: "c", [f]: value };
      return `version: 1\ntasks:\n  a:\n${Object.entries(fields).map(([k, v]) => `    ${k}: ${v}\n`).join("")}`;
    };
    const outcome = (result: ParseResult) => (result.ok ? { tasks: [...result.tasks] } : { issues: result.issues });
    fc.assert(
      fc.property(fc.array(fc.tuple(field, yamlScalar), { minLength: 2, maxLength: 10 }), (sequence) => {
        const seen = sequence.map((entry) => outcome(parseSchedule(file(entry))));
        clearTaskBodyMemo();
        const fresh = sequence.map((entry) => {
          const result = outcome(parseSchedule(file(entry)));
          clearTaskBodyMemo();
          return result;
        });
        expect(seen).toEqual(fresh);
      }),
      { numRuns: 200 },
    );
  });
});

// ---- the fallback writer ----------------------------------------------------------------

/** Comments in a text, as the library's lexer sees them (not a `#` inside a quoted value). */
function comments(text: string): string[] {
  return [...new Lexer().lex(text)].filter((token) => token.startsWith("#"));
}

describe("the fallback writer over random patches", () => {
  const start = fc.constantFrom(flowFile, explicitFile, flowFile.replace(/\r\n/g, "\n"), "\uFEFF" + explicitFile.replace(/\n/g, "\r\n"));
  const taskIds = ["old", "keep", "x", "007", "yes"];
  const task = fc.tuple(fc.constantFrom(...taskIds), taskInput).map(([id, input]) => ({ id, input }));
  const op = fc.oneof(
    fc.record({ upsert: fc.array(task, { maxLength: 2 }) }),
    fc.record({ delete: fc.uniqueArray(fc.constantFrom(...taskIds), { maxLength: 2 }) }),
  );

  it("reads back as the model, keeps line endings and byte order mark, and the comments of tasks it did not touch", () => {
    fc.assert(
      fc.property(start, fc.array(op, { minLength: 1, maxLength: 5 }), (initial, ops) => {
        let text = initial;
        const model = new Map(parsedOk(initial).tasks);
        const crlf = initial.includes("\r\n");
        for (const patch of ops) {
          const upsert = [
            ...new Map(
              ((patch as { upsert?: { id: string; input: Record<string, unknown> }[] }).upsert ?? [])
                .map(({ id, input }) => createTaskSchema.safeParse({ ...input, id }))
                .filter((result) => result.success)
                .map((result) => [result.data.id, result.data] as const),
            ).values(),
          ];
          const del = ((patch as { delete?: string[] }).delete ?? []).filter((id) => !upsert.some((t) => t.id === id));
          const before = text;
          const out = applySchedulePatch({ text, parsed: parsedOk(text) }, { upsert, delete: del });
          for (const t of upsert) model.set(t.id, t);
          for (const id of del) model.delete(id);
          text = out.text;
          const back = parsedOk(text);
          expect(new Map([...back.tasks].sort())).toEqual(new Map([...model].sort()));
          if (!out.changed) continue;
          expect(["in_place", "document"]).toContain(out.via);
          expect(text.includes("\r\n")).toBe(crlf);
          if (crlf) expect(text.replace(/\r\n/g, "")).not.toMatch(/\n/);
          expect(text.startsWith("\uFEFF")).toBe(initial.startsWith("\uFEFF"));
          // Comments outside the tasks the patch touched are all still there.
          if (!upsert.some((t) => t.id === "old") && !del.includes("old")) {
            for (const comment of comments(before)) expect(comments(text)).toContain(comment);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it("on a file of aliases, every patch succeeds and reads back as the model", () => {
    const aliased = yaml`
      version: 1
      tasks:
        a: &body {name: &n A, schedule: &s "0 * * * *", command: c, tags: &t [x]}
        b: {name: *n, schedule: *s, command: d, tags: *t}
        c: *body
        d:
          name: D
          schedule: *s
          command: *n
    `;
    const ids = ["a", "b", "c", "d", "e"];
    const edit = fc.record({
      upsert: fc.uniqueArray(
        fc.tuple(fc.constantFrom(...ids), fc.constantFrom<Partial<Task>>({ name: "Z" }, { schedule: "9 * * * *" }, { tags: [] }, { command: "A" })),
        { selector: ([id]) => id, maxLength: 2 },
      ),
      delete: fc.uniqueArray(fc.constantFrom(...ids), { maxLength: 2 }),
    });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        let text = aliased;
        const model = new Map(parsedOk(aliased).tasks);
        for (const { upsert: raw, delete: del } of edits) {
          const upsert = raw.filter(([id]) => !del.includes(id)).map(([id, change]) => ({ ...(model.get(id) ?? makeTask(id)), ...change, id }));
          const out = applySchedulePatch({ text, parsed: parsedOk(text) }, { upsert, delete: del });
          for (const t of upsert) model.set(t.id, t);
          for (const id of del) model.delete(id);
          text = out.text;
          expect(new Map([...parsedOk(text).tasks].sort())).toEqual(new Map([...model].sort()));
        }
      }),
      { numRuns: 200 },
    );
  });
});
