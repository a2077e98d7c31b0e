import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { Task } from "../../lib/tasks/task-schema";
import { applySchedulePatch, parseSchedule, type ParseResult } from "../../lib/yaml";
import { validateTaskBody } from "../../lib/yaml/parse/validate-task-body";
import { runCli } from "../cli/_cli";
import { diffLines, makeTask, useTempDir, yaml } from "./_helpers";

/**
 * The six findings of the differential test against the YAML test suite (issue #22), one
 * describe block each; tests/yaml/values.properties.test.ts holds the properties over the whole
 * value space.
 */

type ParsedOk = Extract<ParseResult, { ok: true }>;

function parsedOk(text: string): ParsedOk {
  const result = parseSchedule(text);
  if (!result.ok) throw new Error(`does not parse: ${JSON.stringify(result.issues)}\n${text}`);
  return result;
}

function patch(text: string, change: Parameters<typeof applySchedulePatch>[1]) {
  return applySchedulePatch({ text, parsed: parsedOk(text) }, change);
}

/** What a YAML 1.1 reader (PyYAML's rules, as the yaml library implements them) makes of the file's tasks. */
function yaml11Tasks(text: string): Record<string, Record<string, unknown>> {
  return (parse(text, { version: "1.1" }) as { tasks: Record<string, Record<string, unknown>> }).tasks;
}

const setup = useTempDir();

describe("1: what was validated before never changes how a task validates", () => {
  const file = (command: string, description: string) =>
    `version: 1\ntasks:\n  a: {name: A, schedule: "0 * * * *", command: ${command}, description: ${description}}\n`;

  it.each([".nan", ".inf", "-.inf", ".NaN"])("description: %s is refused after description: ~ was read", (value) => {
    const command = `x-after-null-${value}`;
    expect(parseSchedule(file(command, "~")).ok).toBe(true);
    const later = parseSchedule(file(command, value));
    expect(later.ok).toBe(false);
    expect(!later.ok && later.issues[0]).toMatchObject({ code: "invalid_task", line: 3, path: ["tasks", "a", "description"] });
  });

  it.each([".nan", ".inf", "-.inf"])("description: ~ is accepted after description: %s was refused", (value) => {
    const command = `x-null-after-${value}`;
    expect(parseSchedule(file(command, value)).ok).toBe(false);
    const later = parseSchedule(file(command, "~"));
    expect(later.ok && later.tasks.get("a")!.description).toBeNull();
  });

  it("a !!timestamp name is refused after the same date as a string was accepted, and the other way round", () => {
    const named = (id: string, name: string) => `version: 1\ntasks:\n  ${id}:\n    name: ${name}\n    schedule: "0 * * * *"\n    command: c\n`;
    expect(parseSchedule(named("s-first", '"2001-12-14T00:00:00.000Z"')).ok).toBe(true);
    expect(parseSchedule(named("s-first", "!!timestamp 2001-12-14")).ok).toBe(false);
    expect(parseSchedule(named("t-first", "!!timestamp 2001-12-14")).ok).toBe(false);
    expect(parseSchedule(named("t-first", '"2001-12-14T00:00:00.000Z"')).ok).toBe(true);
  });

  it("bodies JSON cannot tell apart each get their own verdict", () => {
    const body = { name: "N", schedule: "0 * * * *", command: "c" };
    expect(validateTaskBody({ ...body, description: null }).success).toBe(true);
    expect(validateTaskBody({ ...body, description: NaN }).success).toBe(false);
    expect(validateTaskBody({ ...body, description: Infinity }).success).toBe(false);
    expect(validateTaskBody({ ...body, name: "2001-12-14T00:00:00.000Z" }).success).toBe(true);
    expect(validateTaskBody({ ...body, name: new Date("2001-12-14") }).success).toBe(false);
    expect(validateTaskBody({ ...body, enabled: undefined }).success).toBe(true);
    expect(validateTaskBody({ ...body, enabled: null }).success).toBe(false);
  });
});

describe("2: DEL and the C1 controls are written as escapes by every writer", () => {
  const block = yaml`
    version: 1
    tasks:
      a:
        name: A
        schedule: "0 * * * *"
        command: c
  `;
  const flow = 'version: 1\ntasks: {a: {name: A, schedule: "0 * * * *", command: c}}\n';
  const rootFlow = '{version: 1, tasks: {a: {name: A, schedule: "0 * * * *", command: c}}}\n';
  const writers: [string, (task: Task) => ReturnType<typeof applySchedulePatch>, string][] = [
    ["a new file", (task) => applySchedulePatch(null, { upsert: [task] }), "new_file"],
    ["in place, new task", (task) => patch(block, { upsert: [{ ...task, id: "b" }] }), "in_place"],
    ["in place, changed value", (task) => patch(block, { upsert: [task] }), "in_place"],
    ["by node (flow tasks), new task", (task) => patch(flow, { upsert: [{ ...task, id: "b" }] }), "document"],
    ["by node (flow tasks), changed value", (task) => patch(flow, { upsert: [task] }), "document"],
    ["whole document (flow root)", (task) => patch(rootFlow, { upsert: [task] }), "reformat"],
  ];
  // The line and paragraph separators are refused by the task schema (issue #14): they are not
  // values the API accepts, so they are not round-tripped here; the writer escapes them anyway.
  const values = ["del\x7fx", "c1 \x80\x9f", "nel\x85line", "all \x7f\x80\x85\x9f"];

  for (const [label, write, via] of writers) {
    it.each(values)(`${label}: %j`, (value) => {
      const task = makeTask("a", { name: value, command: `run ${value}`, description: value });
      const out = write(task);
      expect(out.via).toBe(via);
      expect(out.text).not.toMatch(/[\x7f-\x9f\u2028\u2029]/);
      const back = parsedOk(out.text);
      const id = back.tasks.has("b") ? "b" : "a";
      expect(back.tasks.get(id)).toEqual({ ...task, id });
      expect(yaml11Tasks(out.text)[id]).toMatchObject({ name: task.name, command: task.command, description: task.description });
    });
  }

  it("text with spaces around line breaks, long enough for the library to break it over lines, reads back", () => {
    // The library's multi-line double quotes turned "a \n \n b…" into "a\ \n\n  \\ …" (a stray backslash).
    const value = "a \n \n b \x7f c d e f g h i j k l m n o p q r s t u v w x y z";
    for (const [, write] of writers) {
      const out = write(makeTask("a", { description: value }));
      const back = parsedOk(out.text);
      expect([...back.tasks.values()].map((task) => task.description)).toContain(value);
    }
  });

  it("uses the named escapes where YAML has them", () => {
    // (\L and \P, for U+2028 and U+2029, never reach a task: the schema refuses them, issue #14.)
    const out = applySchedulePatch(null, { upsert: [makeTask("a", { name: "a\x7fb\x85c\x9f" })] });
    expect(out.text).toContain('name: "a\\x7Fb\\Nc\\x9F"');
  });
});

describe("3: a write that breaks an alias writes its value out instead", () => {
  const flow = yaml`
    version: 1
    tasks:
      a: {name: A, schedule: &s "0 * * * *", command: c}
      b: {name: B, schedule: *s, command: d}
  `;
  const block = yaml`
    version: 1
    tasks:
      a:
        name: A
        schedule: &s "0 * * * *"   # anchored
        command: c
      b:
        name: B
        schedule: *s   # the alias
        command: d
  `;

  it.each([
    ["flow bodies", flow],
    ["block bodies", block],
  ])("%s: deleting the anchored task keeps the dependent task as it was", (_, text) => {
    const before = parsedOk(text).tasks.get("b")!;
    const out = patch(text, { delete: ["a"] });
    const back = parsedOk(out.text);
    expect([...back.tasks.values()]).toEqual([before]);
    expect(out.text).not.toContain("*s");
  });

  it.each([
    ["flow bodies", flow],
    ["block bodies", block],
  ])("%s: changing the anchored value keeps the dependent task as it was", (_, text) => {
    const parsed = parsedOk(text);
    const out = patch(text, { upsert: [{ ...parsed.tasks.get("a")!, schedule: "5 * * * *" }] });
    const back = parsedOk(out.text);
    expect(back.tasks.get("a")!.schedule).toBe("5 * * * *");
    expect(back.tasks.get("b")).toEqual(parsed.tasks.get("b"));
  });

  it("only the alias changes: the rest of the file is kept byte for byte", () => {
    const parsed = parsedOk(block);
    const out = patch(block, { upsert: [{ ...parsed.tasks.get("a")!, schedule: "5 * * * *" }] });
    const diff = diffLines(block, out.text);
    expect(diff.removed.map((line) => line.text)).toEqual(['    schedule: &s "0 * * * *"   # anchored', "    schedule: *s   # the alias"]);
    expect(diff.added.map((line) => line.text)).toEqual(['    schedule: "5 * * * *"      # anchored', '    schedule: "0 * * * *"   # the alias']);
  });

  it("an alias of a whole task body, or of a list, keeps its value when the anchored task changes", () => {
    const text = yaml`
      version: 1
      tasks:
        a: &body
          name: A
          schedule: "0 * * * *"
          command: c
          tags: &t [x, y]
        b: *body
        c:
          name: C
          schedule: "1 * * * *"
          command: e
          tags: *t
    `;
    const parsed = parsedOk(text);
    const out = patch(text, { upsert: [{ ...parsed.tasks.get("a")!, name: "A2", tags: ["z"] }] });
    const back = parsedOk(out.text);
    expect(back.tasks.get("a")).toMatchObject({ name: "A2", tags: ["z"] });
    expect(back.tasks.get("b")).toEqual({ ...parsed.tasks.get("a")!, id: "b" });
    expect(back.tasks.get("c")).toEqual(parsed.tasks.get("c"));
  });

  it("an alias whose anchor stays untouched is left alone", () => {
    const parsed = parsedOk(block);
    const out = patch(block, { upsert: [{ ...parsed.tasks.get("a")!, name: "A2" }] });
    expect(out.text).toContain("schedule: *s");
    expect(out.text).toContain('schedule: &s "0 * * * *"');
    expect(parsedOk(out.text).tasks.get("b")).toEqual(parsed.tasks.get("b"));
  });

  it("editing the dependent task itself needs nothing written out", () => {
    const parsed = parsedOk(block);
    const out = patch(block, { upsert: [{ ...parsed.tasks.get("b")!, schedule: "7 * * * *" }] });
    expect(out.text).toContain('schedule: &s "0 * * * *"');
    expect(parsedOk(out.text).tasks.get("b")!.schedule).toBe("7 * * * *");
  });

  it("through the store, a write on the aliased file succeeds", async () => {
    const { createScheduleStore } = await import("../../lib/yaml");
    const dir = await setup();
    const path = join(dir, "schedule.yml");
    await writeFile(path, flow);
    const store = createScheduleStore({ path, keepBackups: 0 });
    const result = await store.write({ delete: ["a"], metadata: { sync_source: "db" } });
    expect([...result.tasks.keys()]).toEqual(["b"]);
    const read = await store.read();
    expect(read.status === "ok" && read.tasks.get("b")!.schedule).toBe("0 * * * *");
  });
});

describe("4: an in-place value edit drops the old tag and anchor", () => {
  it("metadata written_at: !!timestamp is rewritten as a plain string", () => {
    const text = yaml`
      version: 1
      tasks:
        a:
          name: A
          schedule: "0 * * * *"
          command: c
      metadata:
        written_at: !!timestamp 2024-01-02
    `;
    const out = applySchedulePatch({ text, parsed: parsedOk(text) }, { upsert: [makeTask("b")], metadata: { sync_source: "db" } }, { now: new Date("2025-01-02T03:04:05Z") });
    expect(out.via).toBe("in_place");
    expect(out.text).toContain('written_at: "2025-01-02T03:04:05Z"');
    expect(out.text).not.toContain("!!timestamp");
    expect(parsedOk(out.text).metadata?.written_at).toBe("2025-01-02T03:04:05Z");
    expect((parse(out.text) as { metadata: { written_at: unknown } }).metadata.written_at).toBe("2025-01-02T03:04:05Z");
  });

  it("a field tagged !!str gets a new value without the tag, quoted as the value needs", () => {
    const text = yaml`
      version: 1
      tasks:
        a:
          name: !!str 123   # tagged
          schedule: "0 * * * *"
          command: &cmd c
    `;
    const parsed = parsedOk(text);
    const out = patch(text, { upsert: [{ ...parsed.tasks.get("a")!, name: "yes", command: "d" }] });
    expect(out.text).toContain('name: "yes"       # tagged');
    expect(out.text).toContain("command: d");
    expect(yaml11Tasks(out.text).a).toMatchObject({ name: "yes", command: "d" });
  });
});

describe("5: task ids other YAML readers would read as a non-string must be quoted", () => {
  const file = (key: string) => `version: 1\ntasks:\n  ${key}:\n    name: A\n    schedule: "0 * * * *"\n    command: c\n`;
  const misread: [string, RegExp][] = [
    ["007", /the number 7 by YAML 1\.2/],
    ["7", /the number 7 by YAML 1\.2/],
    ["0x1f", /the number 31 by YAML 1\.2/],
    ["0o17", /the number 15 by YAML 1\.2/],
    ["1e3", /the number 1000 by YAML 1\.2/],
    ["1_000", /the number 1000 by YAML 1\.1/],
    ["0b101", /the number 5 by YAML 1\.1/],
    ["010", /the number 10 by YAML 1\.2/],
    ["null", /null by YAML 1\.2/],
    ["true", /the boolean true by YAML 1\.2/],
    ["yes", /the boolean true by YAML 1\.1/],
    ["off", /the boolean false by YAML 1\.1/],
    ["y", /the boolean true by YAML 1\.1/],
    ["2001-12-14", /the date 2001-12-14T00:00:00\.000Z by YAML 1\.1/],
  ];

  it.each(misread)("plain %s is refused with its line, column and how to quote it", (id, message) => {
    const result = parseSchedule(file(id));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues).toEqual([
      { code: "invalid_id", message: expect.stringMatching(message), line: 3, column: 3, path: ["tasks", id] },
    ]);
    expect(!result.ok && result.issues[0]!.message).toContain(`quote it: "${id}":`);
  });

  it.each(misread.map(([id]) => id))("quoted %s is accepted, and a new task with that id is written quoted", (id) => {
    for (const quoted of [`"${id}"`, `'${id}'`]) expect(parseSchedule(file(quoted)).ok).toBe(true);
    const written = [
      applySchedulePatch(null, { upsert: [makeTask(id)] }).text,
      patch(file("daily-backup"), { upsert: [makeTask(id)] }).text,
      patch('version: 1\ntasks: {a: {name: A, schedule: "0 * * * *", command: c}}\n', { upsert: [makeTask(id)] }).text,
    ];
    for (const text of written) {
      expect(parsedOk(text).tasks.has(id)).toBe(true);
      expect(Object.keys(yaml11Tasks(text))).toContain(id);
      expect(Object.keys((parse(text) as { tasks: object }).tasks)).toContain(id);
    }
  });

  it("plain ids that read as themselves everywhere are kept as they are", () => {
    const text = file("daily-backup");
    const out = patch(text, { upsert: [{ ...parsedOk(text).tasks.get("daily-backup")!, name: "B" }] });
    expect(out.text).toBe(text.replace("name: A", "name: B"));
    for (const id of ["nan", "inf", "1a", "0-backup", "2001-12", "yes-no", "n1"]) expect(parseSchedule(file(id)).ok).toBe(true);
  });

  it("schedule-sync check reports it as file:line:column", async () => {
    const dir = await setup();
    await writeFile(join(dir, "ids.yml"), file("007"));
    const run = await runCli(["check", "ids.yml"], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^ids\.yml:3:3: task id 007 is read as the number 7 by YAML 1\.2 readers; quote it: "007":/);
  });
});

describe("6: the fallback writers keep what the library lets them keep", () => {
  const flowFile = [
    "\uFEFF# Schedule, flow style",
    "version: 1",
    "",
    "",
    "tasks: {",
    "  a: {name: A, schedule: \"0 * * * *\", command: c,   # a's comment",
    "    description: x},",
    "  # about b",
    "  b: {name: 'B',   schedule: '1 * * * *', command: d},   # trailing b",
    "  c: {name: C, schedule: \"2 * * * *\", command: e}",
    "}   # end of tasks",
    "",
    "# footer",
    "",
  ].join("\r\n");

  it("flow-style tasks: only the changed task's body is rewritten; CRLF, BOM, blank lines and comments stay", () => {
    const fixed = flowFile;
    const parsed = parsedOk(fixed);
    const out = patch(fixed, { upsert: [{ ...parsed.tasks.get("c")!, name: "yes", description: "2001-12-14", tags: ["on"] }] });
    expect(out.via).toBe("document");
    expect(out.text).toBe(
      fixed.replace('c: {name: C, schedule: "2 * * * *", command: e}', 'c: {name: "yes", schedule: "2 * * * *", command: e, description: "2001-12-14", tags: ["on"]}'),
    );
    expect(yaml11Tasks(out.text).c).toMatchObject({ name: "yes", description: "2001-12-14", tags: ["on"] });
  });

  it("flow-style tasks: deleting and adding tasks keeps the other tasks' text", () => {
    const text = 'version: 1\r\ntasks: {a: {name: A, schedule: "0 * * * *", command: c}, b: {name: B, schedule: "1 * * * *", command: d}}  # c\r\n';
    const out = patch(text, { delete: ["a"], upsert: [makeTask("n", { name: "off" })] });
    expect(out.via).toBe("document");
    expect(out.text).toBe(
      'version: 1\r\ntasks: {b: {name: B, schedule: "1 * * * *", command: d}, "n": {name: "off", schedule: "0 * * * *", timezone: UTC, command: /opt/scripts/n.sh, enabled: true}}  # c\r\n',
    );
    const last = patch(text, { delete: ["b"] });
    expect(last.text).toBe('version: 1\r\ntasks: {a: {name: A, schedule: "0 * * * *", command: c}}  # c\r\n');
  });

  it("explicit keys: the changed body is re-rendered at its column, the rest is kept", () => {
    const text = yaml`
      version: 1
      tasks:
        # first
        ? a
        : name: A      # name of a
          schedule: "0 * * * *"
          command: c


        b:
          name: B
          schedule: '1 * * * *'
          command: d
          description: | # block header comment
            two
            lines
    `;
    const parsed = parsedOk(text);
    const out = patch(text, { upsert: [{ ...parsed.tasks.get("a")!, enabled: false, command: "on" }, { ...parsed.tasks.get("b")!, name: "B2" }] });
    expect(out.via).toBe("document");
    expect(out.text).toBe(
      text
        .replace('    command: c\n', '    command: "on"\n    enabled: false\n')
        .replace("  : name: A      # name of a", "  : name: A # name of a")
        .replace("    name: B\n", "    name: B2\n"),
    );
    const deleted = patch(text, { delete: ["a"], upsert: [makeTask("x")] });
    expect(deleted.via).toBe("document");
    expect(parsedOk(deleted.text).order).toEqual(["b", "x"]);
    expect(deleted.text).toContain("    description: | # block header comment\n");
    expect(deleted.text).toMatch(/^tasks:\n  b:\n/m);
  });

  it("a block scalar's header comment stays, whichever field of its task changes", () => {
    const text = yaml`
      version: 1
      tasks:
        ? a
        : name: A
          schedule: "0 * * * *"
          command: c
          description: | # header comment
            two
            lines
    `;
    const task = parsedOk(text).tasks.get("a")!;
    for (const edit of [{ name: "A2" }, { description: "one" }]) {
      const out = patch(text, { upsert: [{ ...task, ...edit }] });
      expect(out.text).toContain("# header comment");
      expect(parsedOk(out.text).tasks.get("a")).toEqual({ ...task, ...edit });
    }
  });

  it("the last resort re-renders the whole file but keeps CRLF and the byte order mark", () => {
    const text = '\uFEFF# head\r\n{version: 1, tasks: {a: {name: A, schedule: "0 * * * *", command: c}}}\r\n';
    const out = patch(text, { upsert: [makeTask("a", { name: "no", schedule: "0 * * * *", command: "c" })] });
    expect(out.via).toBe("reformat");
    expect(out.text.startsWith("\uFEFF# head\r\n")).toBe(true);
    expect(out.text.replace(/\r\n/g, "")).not.toMatch(/\n/);
    expect(yaml11Tasks(out.text.slice(1)).a).toMatchObject({ name: "no" });
  });
});
