import fc from "fast-check";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Task } from "../../lib/tasks/task-schema";
import { applySchedulePatch, createScheduleStore, parseSchedule, taskSourceText, taskToYamlText } from "../../lib/yaml";
import { goldenSchedule, taskArb, taskIdArb, useTempDir, yaml } from "./_helpers";

const base = yaml`
  # base file for the properties
  version: 1
  tasks:
    alpha:                  # first
      name: Alpha
      schedule: "0 1 * * *"
      command: /bin/alpha
      tags:
        - a
        - b

    beta:
      name: 'Beta'
      schedule: '*/5 * * * *'   # every five minutes
      timezone: Europe/Berlin
      command: /bin/beta
      enabled: false
      description: |
        Two
        lines
      # a comment that belongs to beta
  metadata:
    sync_source: db
`;

function parsedOk(text: string) {
  const result = parseSchedule(text);
  if (!result.ok) throw new Error(`does not parse: ${JSON.stringify(result.issues[0])}\n${text}`);
  return result;
}

const setup = useTempDir();

describe("round trip", () => {
  it("any valid task written then read is the same task (new or replacing an existing one)", () => {
    const id = fc.oneof(fc.constantFrom("alpha", "beta"), taskIdArb);
    fc.assert(
      fc.property(taskArb(id), (task) => {
        const parsed = parsedOk(base);
        const out = applySchedulePatch({ text: base, parsed }, { upsert: [task] });
        expect(out.via).toBe("in_place");
        const back = parsedOk(out.text);
        expect(back.tasks.get(task.id)).toEqual(task);
        for (const [otherId, other] of parsed.tasks) if (otherId !== task.id) expect(back.tasks.get(otherId)).toEqual(other);
        // the same patch again changes nothing
        const again = applySchedulePatch({ text: out.text, parsed: back }, { upsert: [task] });
        expect(again.changed).toBe(false);
        expect(again.text).toBe(out.text);
      }),
      { numRuns: 200 },
    );
  });

  it("a sequence of random patches always reads back as the model, and comments outside edited tasks survive", () => {
    const ids = ["alpha", "beta", "daily-backup", "hourly-health-check", "weekly-report", "gamma"];
    const op = fc.oneof(
      fc.record({ upsert: fc.array(taskArb(fc.constantFrom(...ids)), { maxLength: 2 }) }),
      fc.record({ delete: fc.uniqueArray(fc.constantFrom(...ids), { maxLength: 2 }) }),
    );
    const start = fc.constantFrom(base, goldenSchedule, goldenSchedule.replace(/\n/g, "\r\n"));
    fc.assert(
      fc.property(start, fc.array(op, { minLength: 1, maxLength: 6 }), (initial, ops) => {
        let text = initial;
        const model = new Map(parsedOk(initial).tasks);
        for (const patch of ops) {
          const upsert = dedupeById((patch as { upsert?: Task[] }).upsert ?? []);
          const del = (patch as { delete?: string[] }).delete ?? [];
          for (const task of upsert) model.set(task.id, task);
          for (const id of del) model.delete(id);
          const out = applySchedulePatch({ text, parsed: parsedOk(text) }, { upsert, delete: del });
          if (out.changed) expect(out.via).toBe("in_place");
          text = out.text;
          const back = parsedOk(text);
          expect([...back.tasks.keys()]).toEqual([...model.keys()]);
          for (const [id, task] of model) expect(back.tasks.get(id)).toEqual(task);
        }
        // what lies outside `tasks` is never touched
        const head = initial.slice(0, initial.indexOf("tasks:"));
        expect(text.startsWith(head)).toBe(true);
        if (initial === base) expect(text.endsWith("metadata:\n  sync_source: db\n")).toBe(true);
        else expect(text.endsWith("# Footer comment at the end of the file." + (initial.includes("\r") ? "\r\n" : "\n"))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("through the store: written tasks read back equal; a repeated write leaves the file byte for byte", async () => {
    const dir = await setup();
    const path = join(dir, "schedule.yml");
    await writeFile(path, base);
    const store = createScheduleStore({ path, keepBackups: 1 });
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(taskArb(), { minLength: 1, maxLength: 4, selector: (t) => t.id }), async (tasks) => {
        const patch = { upsert: tasks, metadata: { sync_source: "db" as const } };
        const first = await store.write(patch);
        const text = await readFile(path, "utf8");
        const read = await store.read();
        expect(read.status).toBe("ok");
        if (read.status !== "ok") return;
        for (const task of tasks) expect(read.tasks.get(task.id)).toEqual(task);
        expect(first.checksum).toBe(read.checksum);
        expect(read.metadata?.checksum).toMatch(/^sha256:/);

        const second = await store.write(patch);
        expect(second.checksum).toBe(first.checksum);
        expect(await readFile(path, "utf8")).toBe(text);
      }),
      { numRuns: 40 },
    );
  });

  it("taskToYamlText renders what the store writes, and it parses back to the task", () => {
    fc.assert(
      fc.property(taskArb(), (task) => {
        const text = taskToYamlText(task);
        expect(text.startsWith(`${task.id}:\n`) || text.startsWith(`"${task.id}":\n`)).toBe(true);
        const indented = text.replace(/^(?!$)/gm, "  ");
        const back = parsedOk(`version: 1\ntasks:\n${indented}`);
        expect(back.tasks.get(task.id)).toEqual(task);
        const written = applySchedulePatch(null, { upsert: [task] }).text;
        expect(written).toContain(indented);
      }),
      { numRuns: 200 },
    );
    expect(taskToYamlText(null)).toBe("");
  });

  it("taskSourceText gives the exact source of a task, comments included", () => {
    const parsed = parsedOk(base);
    expect(taskSourceText(parsed.doc, base, "alpha")).toBe(
      "  alpha:                  # first\n    name: Alpha\n    schedule: \"0 1 * * *\"\n    command: /bin/alpha\n    tags:\n      - a\n      - b\n",
    );
    expect(taskSourceText(parsed.doc, base, "beta", { dedent: true })).toBe(
      "beta:\n  name: 'Beta'\n  schedule: '*/5 * * * *'   # every five minutes\n  timezone: Europe/Berlin\n  command: /bin/beta\n  enabled: false\n  description: |\n    Two\n    lines\n  # a comment that belongs to beta\n",
    );
    expect(taskSourceText(parsed.doc, base, "nope")).toBeNull();
  });
});

function dedupeById(tasks: Task[]): Task[] {
  return [...new Map(tasks.map((task) => [task.id, task])).values()];
}
