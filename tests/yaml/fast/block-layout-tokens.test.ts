import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Composer, LineCounter, parseDocument, Parser, type Document } from "yaml";
import { sampleSchedule } from "../../../bench/sample-schedule";
import { applySchedulePatch, parseSchedule } from "../../../lib/yaml";
import { blockLayoutTokens, parseYamlDocument } from "../../../lib/yaml/fast/block-layout-tokens";
import { goldenSchedule, makeTask, taskArb } from "../_helpers";

/**
 * The line scanner against the library's parser: whenever the scanner answers, its tokens are
 * the Parser's, and the Document composed from them is parseDocument's (values, ranges,
 * comments, printed form). Texts come from a generator of block-layout files with every
 * scalar style, comment and blank-line placement, and from random edits of them that the
 * scanner must either model exactly or refuse.
 */

const OPTIONS = { uniqueKeys: false, stringKeys: true } as const;

const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

function documentOf(doc: Document): string {
  const contents = JSON.stringify(doc.contents, (key, value: unknown) => (key === "schema" || key === "options" ? undefined : value));
  const problems = [...doc.errors, ...doc.warnings].map((error) => `${error.code} ${error.pos.join("-")}`);
  return `${contents}\n${JSON.stringify([doc.range, doc.commentBefore, doc.comment, problems])}\n${problems.length === 0 ? doc.toString() : ""}`;
}

/** Checks the scanner on `text`; returns whether it answered. */
function agrees(text: string): boolean {
  const tokens = blockLayoutTokens(text);
  if (!tokens) return false;
  expect(plain(tokens), text).toEqual(plain([...new Parser().parse(text)]));
  const [composed] = new Composer(OPTIONS).compose(tokens, true, text.length);
  const reference = new LineCounter();
  const expected = documentOf(parseDocument(text, { ...OPTIONS, lineCounter: reference }));
  expect(documentOf(composed!), text).toBe(expected);
  // What parseSchedule calls: the same Document, and the same line starts for issue positions.
  const lineCounter = new LineCounter();
  const parsed = parseYamlDocument(text, { ...OPTIONS, lineCounter });
  expect(documentOf(parsed)).toBe(expected);
  expect(lineCounter.lineStarts).toEqual(reference.lineStarts);
  return true;
}

/** Values in the scanner's layout... */
const MODELLED = [
  "plain", "two words", "true", "False", "~", "null", "12", "-3", "0o17", "0x1F", "1.5", ".inf", "007", "1e3", "a:b", "x#c",
  "-y", '"*/5 * * * *"', '"q"', "'s'", "'it''s'", '"a\\"b"', '"\\u00e9"', '"tab\there"', '""', "''", "[a, b]", "[ a , 'b' ]",
  '["x", y z]', "[a:b, c]", "[]", "{}", "trailing  ", "é ünïcode", "a]b", "a,b", "http://x/y?z=1",
];
/** ...and values it leaves to the library, or that are not valid YAML at all. */
const MODELLED_ITEMS = MODELLED.filter((value) => !/^[[{]/.test(value));
const OTHERS = [
  "a: b", "x #c", "- y", "-", "*/5 * * * *", "[a,b", "[a,]", "[a:, b]", "[a: b]", "&a x", "*a", "!tag x", "|", ">", "% x", "@x",
  "`x`", "? x", ": x", "[#]", '"unterminated', "'x'y", '"x" y', "plain\ttab", "{a: 1}",
];

/** Generators of files in the scanner's layout (`modelled`), or with anything else mixed in. */
function scalarArb(modelled: boolean, item = false): fc.Arbitrary<string> {
  if (modelled) return fc.constantFrom(...(item ? MODELLED_ITEMS : MODELLED));
  return fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...MODELLED) },
    { weight: 1, arbitrary: fc.constantFrom(...OTHERS) },
    { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 12 }).map((s) => s.replace(/\n/g, " ")) },
  );
}

function keyArb(modelled: boolean): fc.Arbitrary<string> {
  const plainKey = fc.stringMatching(/^[a-z][a-z0-9_-]{0,8}$/);
  const quoted = fc.constantFrom('"42"', "'q'", "1", "a.b");
  if (modelled) return fc.oneof({ weight: 8, arbitrary: plainKey }, { weight: 1, arbitrary: quoted });
  return fc.oneof({ weight: 8, arbitrary: plainKey }, { weight: 1, arbitrary: quoted }, { weight: 1, arbitrary: fc.constantFrom("-k", "k k", "[k]", "? k") });
}

type Value = { kind: "scalar"; text: string } | { kind: "map"; entries: Entry[] } | { kind: "seq"; items: string[] } | { kind: "empty" };
interface Entry {
  key: string;
  value: Value;
  /** Lines before the key: blank (`spaces` of them), or a comment at the key's indentation (or `offset` apart). */
  lead: ({ blank: true; spaces: number } | { comment: string; offset: number })[];
  trailing: string | null;
}

function fileArb(modelled: boolean) {
  const scalar = scalarArb(modelled);
  const seqItem = scalarArb(modelled, true);
  const lead = fc.array(
    fc.oneof(
      fc.record({ blank: fc.constant(true as const), spaces: fc.constantFrom(0, 0, 0, 1, 2, 6) }),
      fc.record({ comment: fc.constantFrom("# c", "#", "# a: b", "#  x # y"), offset: modelled ? fc.constant(0) : fc.constantFrom(0, 0, 0, 0, -2, 2) }),
    ),
    { maxLength: 2 },
  );
  const { entry } = fc.letrec<{ value: Value; entry: Entry }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant("scalar" as const), text: scalar }) },
      { weight: 1, arbitrary: fc.constant({ kind: "empty" as const }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant("seq" as const), items: fc.array(seqItem, { minLength: 1, maxLength: 3 }) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant("map" as const), entries: fc.array(tie("entry"), { minLength: 1, maxLength: 3 }) }) },
    ),
    entry: fc.record({
      key: keyArb(modelled),
      value: tie("value"),
      lead,
      trailing: fc.option(fc.constantFrom("# t", "#t", "# a: [b]"), { freq: 4 }),
    }) as fc.Arbitrary<Entry>,
  }));
  return fc.record({
    modelled: fc.constant(modelled),
    header: fc.array(fc.constantFrom("# header", "# header", "", ...(modelled ? [] : ["  # indented"])), { maxLength: 2 }),
    entries: fc.array(entry, { minLength: 1, maxLength: 4 }),
    unit: fc.constantFrom(2, 2, 4, 1, 3),
    seqIndent: fc.constantFrom(0, 2, 4),
    ending: modelled ? fc.constantFrom("\n", "") : fc.constantFrom("\n", "\n", "\n", "", "\n\n", "\n  \n", "\n# end\n"),
  });
}

type File = ReturnType<typeof fileArb> extends fc.Arbitrary<infer T> ? T : never;

function render(file: File): string {
  const lines = [...file.header];
  // After `key:` with nothing under it, or a sequence at its key's indentation, the scanner leaves
  // blank and comment lines to the library.
  let leadsRefused = false;
  const write = (entries: Entry[], indent: number) => {
    for (const entry of entries) {
      if (!(file.modelled && leadsRefused)) {
        for (const lead of entry.lead) lines.push("blank" in lead ? " ".repeat(lead.spaces) : `${" ".repeat(Math.max(0, indent + lead.offset))}${lead.comment}`);
      }
      const pad = " ".repeat(indent);
      const trailing = entry.trailing ? ` ${entry.trailing}` : "";
      const { value } = entry;
      if (value.kind === "scalar") lines.push(`${pad}${entry.key}: ${value.text}${trailing}`);
      else lines.push(`${pad}${entry.key}:${trailing}`);
      leadsRefused = value.kind === "empty" || (value.kind === "seq" && file.seqIndent === 0);
      if (value.kind === "map") write(value.entries, indent + file.unit);
      if (value.kind === "seq") for (const item of value.items) lines.push(`${" ".repeat(indent + file.seqIndent)}- ${item}`);
    }
  };
  write(file.entries, 0);
  return lines.join("\n") + file.ending;
}

describe("blockLayoutTokens", () => {
  it("reads the files schedule-sync writes and the benchmark's", () => {
    expect(agrees(sampleSchedule(50))).toBe(true);
    agrees(goldenSchedule); // block scalars and trailing comments: refused, or else read exactly
    const created = applySchedulePatch(null, { upsert: [makeTask("a"), makeTask("b", { tags: ["x", "y"] })], metadata: { sync_source: "db" } });
    expect(agrees(created.text)).toBe(true);
  });

  it.each([
    "a:\n  - ",
    "a:\n- x\n- ",
    "a:\n- x\n-",
    "a: \n",
    "a: x \n",
    "a:  # c\n  b: 1\n",
    "a: 'x' # c",
    'a: "\\""\n',
    "- x\n",
    "a: [x,y]\n",
    "a: [ ]\n",
    "a: [x, ]\n",
    "a: [x y, z]\n",
    "a: x: y\n",
    "a:\n  b: 1\n # c\n  c: 2\n",
    "a: 1\n\n\n",
    "\n\na: 1",
    "a: 1\n  # deeper, at the end\n",
    "a:\n  b:\n  - x\n  c: 1\n",
    "a:\n- x\nb: 1\n",
    "a:\n- x\n  - y\n",
    "a: b\n  c\n",
    "a:\n  b: 1\n   \n  c: 2\n  \nd: 1\n    \n",
    "a:\n    \n  b: 1\n",
    "  \na: 1\n",
    "a:\n  \nb: 1\n",
    'a:\n   "42": 007 #\n ',
    "a: 1\n  ",
  ])("either reads %j exactly as the library does or leaves it to it", (text) => {
    agrees(text);
  });

  it("takes every file in the layout it models, exactly as the library reads it", () => {
    fc.assert(
      fc.property(fileArb(true), (file) => {
        expect(agrees(render(file))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("reads other files exactly as the library does, or leaves them to it", () => {
    fc.assert(
      fc.property(fileArb(false), (file) => {
        agrees(render(file));
      }),
      { numRuns: 500 },
    );
  });

  it("either models a random edit of a file exactly or refuses it", () => {
    const edit = fc.record({ at: fc.nat(), text: fc.string({ unit: fc.constantFrom(" ", "\n", "#", ":", "-", "[", "]", "{", "}", ",", "'", '"', "&", "*", "!", "|", ">", "%", "?", "\\", "\t", "\r", "x", "1"), minLength: 1, maxLength: 3 }), cut: fc.nat(3) });
    fc.assert(
      fc.property(fileArb(true), fc.array(edit, { minLength: 1, maxLength: 3 }), (file, edits) => {
        let text = render(file);
        for (const { at, text: inserted, cut } of edits) {
          const pos = at % (text.length + 1);
          text = text.slice(0, pos) + inserted + text.slice(pos + cut);
        }
        agrees(text);
      }),
      { numRuns: 20000 },
    );
  });

  it("reads back the tasks schedule-sync writes", () => {
    fc.assert(
      fc.property(fc.array(taskArb(), { minLength: 1, maxLength: 6 }), (tasks) => {
        const unique = [...new Map(tasks.map((task) => [task.id, task])).values()];
        const { text } = applySchedulePatch(null, { upsert: unique, metadata: { sync_source: "db" } });
        agrees(text);
        const parsed = parseSchedule(text);
        expect(parsed.ok && [...parsed.tasks.values()]).toEqual(unique);
      }),
      { numRuns: 200 },
    );
    // An invalid value found through the scanner points where the library's parse would.
    const bad = parseSchedule("version: 1\ntasks:\n  a:\n    name: A\n    schedule: nope\n    command: x\n");
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.issues[0]).toMatchObject({ line: 5, column: 15 });
  });
});
