import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createScheduleStore, parseSchedule, tasksChecksum, type ScheduleStore } from "../../lib/yaml";
import { diffLines, goldenSchedule, lineOf, makeTask, useTempDir } from "./_helpers";

const golden = goldenSchedule;

const setup = useTempDir();

async function goldenStore(): Promise<{ store: ScheduleStore; path: string }> {
  const dir = await setup();
  const path = join(dir, "schedule_config.yml");
  await writeFile(path, golden);
  return { store: createScheduleStore({ path }), path };
}

async function currentTask(store: ScheduleStore, id: string) {
  const result = await store.read();
  if (result.status !== "ok") throw new Error(`file is ${result.status}`);
  return result.tasks.get(id)!;
}

describe("writing keeps every untouched byte", () => {
  it("golden file parses", () => {
    const result = parseSchedule(golden);
    expect(result.ok && result.tasks.get("weekly-report")!.description).toBe("Multi-line description,\nkept as a block scalar.");
  });

  it("changing one field rewrites only that value, keeping its quoting and comment", async () => {
    const { store, path } = await goldenStore();
    const task = await currentTask(store, "hourly-health-check");
    await store.write({ upsert: [{ ...task, schedule: "15 * * * *" }] });
    const after = await readFile(path, "utf8");
    const diff = diffLines(golden, after);
    expect(diff.removed).toEqual([{ line: lineOf(golden, "'0 * * * *'"), text: "    schedule: '0 * * * *'" }]);
    expect(diff.added).toEqual([{ line: lineOf(golden, "'0 * * * *'"), text: "    schedule: '15 * * * *'" }]);
  });

  it("an aligned trailing comment keeps its column", async () => {
    const { store, path } = await goldenStore();
    const task = await currentTask(store, "daily-backup");
    await store.write({ upsert: [{ ...task, schedule: "30 3 * * *", tags: ["ops", "db", "nightly"] }] });
    const after = await readFile(path, "utf8");
    const diff = diffLines(golden, after);
    expect(diff.added.map((l) => l.text)).toEqual([
      '    schedule: "30 3 * * *"      # 02:00',
      "    tags: [ops, db, nightly]    # flow sequence",
    ]);
    expect(diff.removed.map((l) => l.line)).toEqual(diff.added.map((l) => l.line));
  });

  it("several field changes of one task touch only that task's changed lines, plus the metadata block", async () => {
    const { store, path } = await goldenStore();
    const task = await currentTask(store, "daily-backup");
    const edited = { ...task, timezone: "Europe/Berlin", description: null, enabled: false, name: "Nightly backup" };
    await store.write({ upsert: [edited], metadata: { sync_source: "db" } });
    const after = await readFile(path, "utf8");
    const diff = diffLines(golden, after);

    expect(diff.removed.map((l) => l.text)).toEqual([
      "    name: Daily database backup",
      "    timezone: UTC",
      "    enabled: true",
      "    description: 'Full dump to object storage'   # single-quoted on purpose",
    ]);
    const taskStart = lineOf(golden, "daily-backup:");
    const taskEnd = lineOf(golden, "tags: [ops, db]");
    for (const { line } of diff.removed) expect(line).toBeGreaterThan(taskStart);
    for (const { line } of diff.removed) expect(line).toBeLessThan(taskEnd);

    const added = diff.added.map((l) => l.text);
    expect(added.slice(0, 3)).toEqual(["    name: Nightly backup", "    timezone: Europe/Berlin", "    enabled: false"]);
    expect(added[3]).toBe("metadata:");
    expect(added[4]).toBe("  sync_source: db");
    expect(added[5]).toMatch(/^ {2}written_at: "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"$/);
    expect(added[6]).toMatch(/^ {2}checksum: sha256:[0-9a-f]{64}$/);
    expect(added).toHaveLength(7);
    // the metadata block is appended at the very end, after the footer comment
    expect(after.endsWith("# Footer comment at the end of the file.\n" + added.slice(3).join("\n") + "\n")).toBe(true);

    expect(await currentTask(store, "daily-backup")).toEqual(edited);
  });

  it("a field the file leaves out is added next to its neighbour in schema order; defaults stay left out", async () => {
    const { store, path } = await goldenStore();
    const task = await currentTask(store, "hourly-health-check");
    expect(task.timezone).toBe("UTC");
    await store.write({ upsert: [{ ...task, timezone: "Asia/Kolkata", description: "Pings everything" }] });
    const after = await readFile(path, "utf8");
    const diff = diffLines(golden, after);
    expect(diff.removed).toEqual([]);
    expect(diff.added.map((l) => l.text)).toEqual(["    timezone: Asia/Kolkata", "    description: Pings everything"]);
    const lines = after.split("\n");
    expect(lines[diff.added[0]!.line - 2]).toBe("    schedule: '0 * * * *'");
    expect(lines[diff.added[1]!.line - 2]).toBe("    command: /opt/scripts/health-check.sh");
  });

  it("a block sequence stays a block sequence", async () => {
    const { store, path } = await goldenStore();
    const task = await currentTask(store, "hourly-health-check");
    await store.write({ upsert: [{ ...task, tags: ["ops", "monitoring", "pager"] }] });
    const before = "      - ops          # block sequence\n      - monitoring\n";
    expect(await readFile(path, "utf8")).toBe(golden.replace(before, "      - ops\n      - monitoring\n      - pager\n"));
  });

  it("deleting a task removes exactly its lines (with its leading comment) and one blank line", async () => {
    const { store, path } = await goldenStore();
    await store.write({ delete: ["hourly-health-check"] });
    const after = await readFile(path, "utf8");
    const diff = diffLines(golden, after);
    expect(diff.added).toEqual([]);
    const first = lineOf(golden, "# Two blank lines above");
    const last = lineOf(golden, "# trailing comment inside the task");
    expect(diff.removed.map((l) => l.line)).toEqual(
      Array.from({ length: last - first + 2 }, (_, i) => first + i), // its lines and the blank after
    );
    const result = parseSchedule(after);
    expect(result.ok && result.order).toEqual(["daily-backup", "weekly-report"]);
  });

  it("a new task is added at the end of tasks, in the file's style, and nothing else moves", async () => {
    const { store, path } = await goldenStore();
    const added = makeTask("monthly-cleanup", { schedule: "0 4 1 * *", tags: ["ops"], description: "Removes old files" });
    await store.write({ upsert: [added] });
    const after = await readFile(path, "utf8");
    // right after the last task's block scalar, before the blank line and the footer comment
    const at = golden.indexOf("kept as a block scalar.\n") + "kept as a block scalar.\n".length;
    const block = [
      "",
      "  monthly-cleanup:",
      "    name: Task monthly-cleanup",
      '    schedule: "0 4 1 * *"',
      "    timezone: UTC",
      "    command: /opt/scripts/monthly-cleanup.sh",
      "    enabled: true",
      "    description: Removes old files",
      "    tags: [ops]",
      "",
    ].join("\n");
    expect(after).toBe(golden.slice(0, at) + block + golden.slice(at));
    expect(await currentTask(store, "monthly-cleanup")).toEqual(added);
  });

  it("delete, add and edit in one write; writing the same patch again changes nothing", async () => {
    const { store, path } = await goldenStore();
    const weekly = await currentTask(store, "weekly-report");
    const patch = {
      upsert: [{ ...weekly, enabled: true }, makeTask("new-task")],
      delete: ["daily-backup"],
      metadata: { sync_source: "merge" as const },
    };
    const first = await store.write(patch);
    const text = await readFile(path, "utf8");
    const second = await store.write(patch);
    expect(second.checksum).toBe(first.checksum);
    expect(await readFile(path, "utf8")).toBe(text);
    expect([...second.tasks.keys()]).toEqual(["hourly-health-check", "weekly-report", "new-task"]);
    const diff = diffLines(golden, text);
    // header, hourly-health-check and the footer are untouched
    for (const needle of ["# Schedule for the ops team.", "version: 1   # format version", "# Two blank lines above", "# Footer comment"]) {
      expect(text).toContain(needle);
    }
    expect(diff.removed.some((l) => l.text.includes("hourly"))).toBe(false);
  });

  it("keeps CRLF line endings", async () => {
    const dir = await setup();
    const path = join(dir, "crlf.yml");
    const crlf = golden.replace(/\n/g, "\r\n");
    await writeFile(path, crlf);
    const store = createScheduleStore({ path });
    const task = await currentTask(store, "hourly-health-check");
    await store.write({ upsert: [{ ...task, timezone: "Europe/Berlin" }, makeTask("added")], metadata: { sync_source: "db" } });
    const after = await readFile(path, "utf8");
    expect(after.replace(/\r\n/g, "")).not.toContain("\n");
    expect(after.startsWith(crlf.slice(0, crlf.indexOf("hourly-health-check")))).toBe(true);
    const result = parseSchedule(after);
    expect(result.ok && result.tasks.get("hourly-health-check")!.timezone).toBe("Europe/Berlin");
  });

  it("four-space indentation is kept for new tasks and fields", async () => {
    const dir = await setup();
    const path = join(dir, "wide.yml");
    await writeFile(path, 'version: 1\ntasks:\n    a:\n        name: A\n        schedule: "* * * * *"\n        command: x\n');
    const store = createScheduleStore({ path });
    await store.write({ upsert: [makeTask("a", { name: "A", schedule: "* * * * *", command: "x", tags: ["t"] }), makeTask("b")] });
    const after = await readFile(path, "utf8");
    expect(after).toContain('        command: x\n        tags: [t]\n    b:\n        name: Task b\n');
  });

  it("a flow-style tasks map falls back to the Document API and still round-trips", async () => {
    const dir = await setup();
    const path = join(dir, "flow.yml");
    await writeFile(path, '# flow style\nversion: 1\ntasks: {a: {name: A, schedule: "* * * * *", command: x}}\n');
    const store = createScheduleStore({ path });
    const b = makeTask("b", { tags: ["x"] });
    await store.write({ upsert: [makeTask("a", { name: "A2", schedule: "* * * * *", command: "x" }), b] });
    const result = await store.read();
    expect(result.status === "ok" && [...result.tasks.values()]).toEqual([
      makeTask("a", { name: "A2", schedule: "* * * * *", command: "x" }),
      b,
    ]);
    expect(result.status === "ok" && result.text).toContain("# flow style");
  });

  it("deleting every task leaves `tasks: {}` and the comments around it", async () => {
    const { store, path } = await goldenStore();
    await store.write({ delete: ["daily-backup", "hourly-health-check", "weekly-report"] });
    const after = await readFile(path, "utf8");
    expect(after).toContain("tasks: {}\n");
    expect(after).toContain("# Schedule for the ops team.");
    expect(after).toContain("# Footer comment at the end of the file.");
    const result = parseSchedule(after);
    expect(result.ok && result.tasks.size).toBe(0);
  });

  it("the DESIGN §3 example: metadata is updated in place, every comment kept", async () => {
    const dir = await setup();
    const path = join(dir, "schedule_config.yml");
    const design = [
      "# Comments anywhere are kept when the server writes the file.",
      "version: 1",
      "tasks:",
      "  daily-backup:                 # key = task id: ^[a-z0-9][a-z0-9_-]{0,63}$",
      "    name: Daily database backup",
      '    schedule: "0 2 * * *"       # 5- or 6-field cron, validated',
      "    timezone: UTC               # IANA zone, optional, default UTC",
      "    command: /opt/scripts/backup.sh --full",
      "    enabled: true",
      "    description: Full dump to object storage   # optional",
      "    tags: [ops, db]             # optional",
      "metadata:                       # written by the server only when it writes the file",
      "  sync_source: db               # db | merge",
      "  written_at: 2026-11-25T11:00:00Z",
      "  checksum: sha256:abc          # of the tasks section as written",
      "",
    ].join("\n");
    await writeFile(path, design);
    const store = createScheduleStore({ path });
    const task = await currentTask(store, "daily-backup");
    const { tasks } = await store.write({ upsert: [{ ...task, enabled: false }], metadata: { sync_source: "merge" } });
    const after = await readFile(path, "utf8");
    const diff = diffLines(design, after);
    expect(diff.removed.map((l) => l.line)).toEqual([9, 13, 14, 15]);
    expect(diff.added.map((l) => l.text)).toEqual([
      "    enabled: false",
      "  sync_source: merge            # db | merge",
      expect.stringMatching(/^ {2}written_at: "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"$/),
      `  checksum: ${tasksChecksum(tasks.values())} # of the tasks section as written`,
    ]);
    const read = await store.read();
    expect(read.status === "ok" && read.metadata?.checksum).toBe(tasksChecksum(read.status === "ok" ? read.tasks.values() : []));
  });
});
