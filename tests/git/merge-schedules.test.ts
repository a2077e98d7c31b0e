import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mergeSchedules, type MergeOutcome } from "@/lib/git/merge-schedules";
import { cutSchedule, joinLayout } from "@/lib/git/schedule-layout";
import { reconcile } from "@/lib/sync/reconcile/reconcile";
import type { Task, TaskBody } from "@/lib/tasks/task-schema";
import { applySchedulePatch, parseSchedule } from "@/lib/yaml";
import { renderTask } from "@/lib/yaml/write/yaml-render";
import { yaml } from "../yaml/_helpers";

const base = yaml`
  # Team schedule
  version: 1
  tasks:
    # Dumps the main database.
    nightly-pg-dump:
      name: Nightly dump   # keep short
      schedule: "0 2 * * *"
      command: pg_dump app

    weekly-report:
      name: Weekly report
      schedule: "0 9 * * 1"
      command: report.sh
      tags: [mail]
`;

function merged(outcome: MergeOutcome): Extract<MergeOutcome, { ok: true }> {
  if (!outcome.ok) throw new Error(`merge refused: ${outcome.side}: ${outcome.issues[0]?.message}`);
  return outcome;
}

const append = (text: string, id: string, extra = "") => `${text}\n  ${id}:\n    name: ${id}${extra}\n    schedule: "0 1 * * *"\n    command: ${id}.sh\n`;

describe("cutSchedule", () => {
  it("cuts head, task blocks with their comments, and tail, and joins back byte for byte", () => {
    const text = base + "metadata:\n  sync_source: db\n";
    const layout = cutSchedule(text)!;
    expect(layout.head).toBe("# Team schedule\nversion: 1\ntasks:\n");
    expect(layout.blocks.map((b) => b.id)).toEqual(["nightly-pg-dump", "weekly-report"]);
    expect(layout.blocks[0]!.body).toMatch(/^  # Dumps the main database\.\n  nightly-pg-dump:\n/);
    expect(layout.blocks[1]!.sep).toBe("\n");
    expect(layout.tail).toBe("metadata:\n  sync_source: db\n");
    expect(layout).toMatchObject({ column: 2, step: 2, eol: "\n", finalNewline: true });
    expect(joinLayout(layout)).toBe(text);
    const crlf = text.replace(/\n/g, "\r\n").replace(/\r\n$/, "");
    const cut = cutSchedule(crlf)!;
    expect(cut).toMatchObject({ eol: "\r\n", finalNewline: false });
    expect(joinLayout(cut)).toBe(crlf);
  });

  it("refuses layouts it cannot cut per task", () => {
    expect(cutSchedule('version: 1\ntasks: {a: {name: A, schedule: "* * * * *", command: x}}\n')).toBeNull();
    expect(cutSchedule("version: 1\ntasks: {}\n")).toBeNull();
    expect(cutSchedule("version: [\n")).toBeNull();
  });
});

describe("mergeSchedules", () => {
  it("appends of both sides: ours's first, then theirs's, no conflict", () => {
    const result = merged(mergeSchedules(base, append(base, "ours-task"), append(base, "theirs-task")));
    expect(result.conflicts).toEqual([]);
    expect(result.text).toBe(append(append(base, "ours-task"), "theirs-task"));
    expect(result.via).toBe("blocks");
  });

  it("a task changed on one side only takes that side's block verbatim, comments included", () => {
    const ours = base.replace("    command: pg_dump app\n", "    command: pg_dump --format=custom app   # custom format\n");
    const theirs = base.replace("      tags: [mail]", "      tags: [mail, weekly] # more tags").replace("tags: [mail]\n", "tags: [mail, weekly]   # weekly too\n");
    const result = merged(mergeSchedules(base, ours, theirs));
    expect(result.conflicts).toEqual([]);
    expect(result.text).toContain("    command: pg_dump --format=custom app   # custom format\n");
    expect(result.text).toContain("    tags: [mail, weekly]   # weekly too\n");
    expect(result.text).toContain("  # Dumps the main database.\n");
  });

  it("disjoint field edits of one task merge into ours's block, keeping its comments", () => {
    const ours = base.replace('"0 2 * * *"', '"0 3 * * *"   # later');
    const theirs = base.replace("pg_dump app", "pg_dump --verbose app");
    const result = merged(mergeSchedules(base, ours, theirs));
    expect(result.conflicts).toEqual([]);
    expect(result.picks.get("nightly-pg-dump")).toBe("merged");
    expect(result.text).toBe(ours.replace("pg_dump app", "pg_dump --verbose app"));
  });

  it("the same field changed differently: markers around that task's block only", () => {
    const ours = append(base.replace("report.sh", "report.sh --html"), "extra");
    const theirs = base.replace("report.sh", "report.sh --pdf").replace("Nightly dump  ", "Nightly dumps ");
    const result = merged(mergeSchedules(base, ours, theirs, { labels: { ours: "HEAD", theirs: "feature" } }));
    expect(result.conflicts).toHaveLength(1);
    const conflict = result.conflicts[0]!;
    expect(conflict).toMatchObject({ part: "task", id: "weekly-report", kind: "both_modified", fields: ["command"] });
    const lines = result.text.split("\n");
    const [start, end] = conflict.lines;
    expect(lines[start - 1]).toBe("<<<<<<< HEAD");
    expect(lines[end - 1]).toBe(">>>>>>> feature");
    expect(lines.slice(start - 1, end).join("\n")).toBe(
      "<<<<<<< HEAD\n  weekly-report:\n    name: Weekly report\n    schedule: \"0 9 * * 1\"\n    command: report.sh --html\n    tags: [mail]\n=======\n  weekly-report:\n    name: Weekly report\n    schedule: \"0 9 * * 1\"\n    command: report.sh --pdf\n    tags: [mail]\n>>>>>>> feature",
    );
    // Everything outside the region is merged: theirs's name edit, ours's new task.
    expect(result.text).toContain("name: Nightly dumps  # keep short");
    expect(result.text).toContain("  extra:\n");
    // The resolved text takes ours for the conflict and is valid.
    expect(parseSchedule(result.resolved).ok).toBe(true);
    expect(result.tasks.get("weekly-report")?.command).toBe("report.sh --html");
  });

  it("diff3 style, marker size, and an edit against a deletion", () => {
    const ours = base.replace(/\n  weekly-report:[\s\S]*$/, "\n").replace(/\n\n$/, "\n");
    const theirs = base.replace("report.sh", "report.sh --pdf");
    const result = merged(mergeSchedules(base, ours, theirs, { diff3: true, markerSize: 9 }));
    expect(result.conflicts).toMatchObject([{ part: "task", id: "weekly-report", kind: "delete_modify" }]);
    expect(result.text).toContain("<<<<<<<<< ours\n||||||||| base\n  weekly-report:\n");
    expect(result.text).toMatch(/=========\n  weekly-report:\n[\s\S]*command: report\.sh --pdf\n[\s\S]*>>>>>>>>> theirs\n$/);
  });

  it("a deletion on one side and no change on the other deletes", () => {
    const theirs = base.replace(/\n  weekly-report:[\s\S]*$/, "\n").replace(/\n\n$/, "\n");
    const result = merged(mergeSchedules(base, append(base, "x"), theirs));
    expect([...result.tasks.keys()]).toEqual(["nightly-pg-dump", "x"]);
  });

  it("head and tail merge by equality; a clash gets markers; the old metadata stamp is dropped", () => {
    const ours = base.replace("# Team schedule", "# Team schedule (ops)") + "metadata:\n  sync_source: db\n  checksum: sha256:1\n";
    const theirs = base + "metadata:\n  sync_source: db\n  checksum: sha256:2\n";
    const result = merged(mergeSchedules(base + "metadata:\n  sync_source: db\n  checksum: sha256:0\n", ours, theirs));
    expect(result.conflicts).toEqual([]);
    expect(result.text).toBe(base.replace("# Team schedule", "# Team schedule (ops)"));
    const clash = merged(mergeSchedules(base, base.replace("# Team schedule", "# A"), base.replace("# Team schedule", "# B")));
    expect(clash.conflicts).toMatchObject([{ part: "head", lines: [1, 9] }]);
    expect(clash.text.startsWith("<<<<<<< ours\n# A\nversion: 1\ntasks:\n=======\n# B\nversion: 1\ntasks:\n>>>>>>> theirs\n")).toBe(true);
  });

  it("keeps ours's line endings and indentation; theirs's tasks are re-indented when it is laid out differently", () => {
    const crlf = (text: string) => text.replace(/\n/g, "\r\n");
    const theirs4 = append(base, "wide").replace(/^( +)/gm, (spaces) => " ".repeat(spaces.length * 2));
    const result = merged(mergeSchedules(crlf(base), crlf(append(base, "mine")), theirs4));
    expect(result.conflicts).toEqual([]);
    expect(result.text.startsWith(crlf(append(base, "mine")))).toBe(true);
    expect(result.text.slice(crlf(append(base, "mine")).length)).toMatch(/^(\r\n)?  wide:\r\n    name: wide\r\n/);
    expect(result.text.replace(/\r\n/g, "")).not.toContain("\n");
  });

  it("falls back to a value-level merge when ours cannot be cut (flow-style tasks)", () => {
    const flow = 'version: 1\ntasks: {a: {name: A, schedule: "0 1 * * *", command: a}}\n';
    const theirs = 'version: 1\ntasks: {a: {name: A, schedule: "0 1 * * *", command: a}, b: {name: B, schedule: "0 2 * * *", command: b}}\n';
    const result = merged(mergeSchedules(flow, flow.replace("command: a", "command: a2"), theirs));
    expect(result.via).toBe("values");
    expect(result.tasks.get("a")?.command).toBe("a2");
    expect(result.tasks.get("b")?.command).toBe("b");
  });

  it("refuses a side that is not a schedule file", () => {
    expect(mergeSchedules(base, "not: [yaml", base)).toMatchObject({ ok: false, side: "ours" });
    expect(mergeSchedules(base, base, "<<<<<<< x\n")).toMatchObject({ ok: false, side: "theirs" });
  });
});

// ---- the property -------------------------------------------------------------------------

const IDS = ["a", "b", "c", "d", "e"] as const;
const values = {
  name: fc.constantFrom("Backup", "Cleanup"),
  schedule: fc.constantFrom("0 2 * * *", "*/5 * * * *"),
  timezone: fc.constantFrom("UTC", "Europe/Berlin"),
  command: fc.constantFrom("/bin/backup", "/bin/clean"),
  enabled: fc.boolean(),
  description: fc.constantFrom<string | null>(null, "nightly"),
  tags: fc.constantFrom<string[]>([], ["ops"], ["ops", "db"]).map((tags) => [...tags]),
};
const body: fc.Arbitrary<TaskBody> = fc.record(values);
type Edit = { kind: "keep" } | { kind: "delete" } | { kind: "comment" } | { kind: "patch"; patch: Partial<TaskBody> };
const edit: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: "keep" } as const) },
  { weight: 1, arbitrary: fc.constant({ kind: "delete" } as const) },
  { weight: 1, arbitrary: fc.constant({ kind: "comment" } as const) },
  { weight: 3, arbitrary: fc.record(values, { requiredKeys: [] }).map((patch) => ({ kind: "patch", patch }) as const) },
);
const scenario = fc.record({
  base: fc.tuple(...IDS.map(() => fc.option(body, { nil: null }))),
  ours: fc.tuple(...IDS.map(() => edit)),
  theirs: fc.tuple(...IDS.map(() => edit)),
  created: fc.tuple(fc.option(body, { nil: null }), fc.option(body, { nil: null })),
});

function baseFile(tasks: Task[]): string {
  let text = "# generated\nversion: 1\ntasks:\n";
  for (const task of tasks) text += `  # about ${task.id}\n${renderTask(task, 2, { unit: 2, indentSeq: true, eol: "\n" })}\n`;
  return text;
}

/** One side's version: edits through the server's patcher (comments kept), comment edits by hand, an appended task. */
function sideFile(baseText: string, tasks: Map<string, Task>, edits: Edit[], created: TaskBody | null, side: string): string {
  const parsed = parseSchedule(baseText);
  if (!parsed.ok) throw new Error("base must parse");
  const upsert: Task[] = [];
  const remove: string[] = [];
  IDS.forEach((id, i) => {
    const task = tasks.get(id);
    const e = edits[i]!;
    if (!task) return;
    if (e.kind === "delete") remove.push(id);
    if (e.kind === "patch") upsert.push({ ...task, ...e.patch });
  });
  if (created) upsert.push({ id: `new-${side}`, ...created });
  let text = applySchedulePatch({ text: baseText, parsed }, { upsert, delete: remove }).text;
  IDS.forEach((id, i) => {
    if (edits[i]!.kind === "comment") text = text.replace(`# about ${id}\n`, `# about ${id}, edited by ${side}\n`);
  });
  return text;
}

describe("mergeSchedules: property", () => {
  it("per task, the result is the reconcile's decision; untouched and one-sided blocks are kept byte for byte", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const baseTasks = new Map<string, Task>();
        IDS.forEach((id, i) => {
          const b = s.base[i];
          if (b) baseTasks.set(id, { id, ...b });
        });
        const baseText = baseFile([...baseTasks.values()]);
        const ours = sideFile(baseText, baseTasks, s.ours, s.created[0], "ours");
        const theirs = sideFile(baseText, baseTasks, s.theirs, s.created[1], "theirs");
        const result = merged(mergeSchedules(baseText, ours, theirs));

        const parse = (text: string) => {
          const p = parseSchedule(text);
          if (!p.ok) throw new Error("side must parse");
          return p;
        };
        const [o, a, b] = [parse(baseText), parse(ours), parse(theirs)];
        const plan = reconcile({ base: o.tasks, yaml: a.tasks, db: b.tasks });
        const conflictIds = result.conflicts.flatMap((c) => (c.part === "task" ? [c.id] : []));
        expect(result.conflicts.every((c) => c.part === "task")).toBe(true);
        for (const decision of plan.decisions) {
          if (decision.action === "conflict") {
            expect(conflictIds).toContain(decision.id);
            expect(result.tasks.get(decision.id) ?? null).toEqual(decision.yaml);
          } else {
            expect(conflictIds).not.toContain(decision.id);
            expect(result.tasks.get(decision.id) ?? null).toEqual(decision.task);
          }
        }
        if (result.conflicts.length === 0) expect(result.text).toBe(result.resolved);
        expect(parseSchedule(result.resolved).ok).toBe(true);

        // Text: a block the same on all sides, or changed by one side only, is in the result verbatim.
        const [lo, la, lb] = [cutSchedule(baseText), cutSchedule(ours), cutSchedule(theirs)];
        const blocks = (layout: ReturnType<typeof cutSchedule>) => new Map((layout?.blocks ?? []).map((x) => [x.id, x.body]));
        const [bo, ba, bb] = [blocks(lo), blocks(la), blocks(lb)];
        for (const id of new Set([...ba.keys(), ...bb.keys()])) {
          if (conflictIds.includes(id)) continue;
          const [x, y, z] = [bo.get(id), ba.get(id), bb.get(id)];
          if (y === z && y !== undefined) expect(result.text).toContain(y);
          else if (x === y && z !== undefined) expect(result.text).toContain(z);
          else if (x === z && y !== undefined) expect(result.text).toContain(y);
        }
        // One side unchanged: the result is the other side, exactly.
        expect(merged(mergeSchedules(baseText, baseText, theirs)).text).toBe(theirs);
        expect(merged(mergeSchedules(baseText, ours, baseText)).text).toBe(ours);
      }),
      { numRuns: Number(process.env.MERGE_RUNS ?? 300) },
    );
  });
});
