import fs from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSchedule } from "@/lib/yaml";
import { startAppProcess, type AppProcess } from "../_support/app-process";
import { DB_KINDS } from "../_support/databases";

/**
 * Issue #22 through the real server: values that used to end in `500 internal_error` (a DEL in
 * a name, a write to a file with aliases across tasks) are written, and a file the validation
 * memo used to let through is refused.
 */

const ALIASED = `# tasks sharing a schedule by alias
version: 1
tasks:
  a: {name: A, schedule: &s "0 * * * *", command: c}
  b: {name: B, schedule: *s, command: d}   # b follows a's schedule
`;

async function fileTasks(app: AppProcess) {
  const text = await fs.readFile(app.yamlPath, "utf8");
  const parsed = parseSchedule(text);
  if (!parsed.ok) throw new Error(`the file is invalid: ${parsed.issues[0]?.message}\n${text}`);
  return { text, tasks: parsed.tasks };
}

async function trigger(app: AppProcess) {
  return app.api("/api/sync/trigger", { method: "POST", json: {} });
}

describe.each(DB_KINDS)("YAML values through the server on %s", (kind) => {
  let app: AppProcess;
  beforeAll(async () => {
    // Syncs happen when a test asks (the watcher would race its explicit triggers).
    app = await startAppProcess({ db: kind, yaml: ALIASED, env: { SYNC_WATCH: "off" } });
  });
  afterAll(async () => {
    await app?.dispose();
  });

  it("PATCH of the task that holds an anchor answers 200 and the dependent task keeps its schedule", async () => {
    const res = await app.api("/api/tasks/a", { method: "PATCH", json: { schedule: "5 * * * *" } });
    expect(res.status).toBe(200);
    const { text, tasks } = await fileTasks(app);
    expect(tasks.get("a")!.schedule).toBe("5 * * * *");
    expect(tasks.get("b")!.schedule).toBe("0 * * * *");
    expect(text).toContain('  b: {name: B, schedule: "0 * * * *", command: d}   # b follows a\'s schedule\n');
    expect(await (await app.api("/api/tasks/b")).json()).toMatchObject({ schedule: "0 * * * *" });
  });

  it("DELETE of a task on a file of aliases answers and keeps the others", async () => {
    await fs.writeFile(app.yamlPath, ALIASED.replace("a: {name: A", "c: {name: C, schedule: &t \"1 * * * *\", command: e}\n  a: {name: A").replace("b: {name: B, schedule: *s", "b: {name: B, schedule: *t"));
    expect((await trigger(app)).status).toBe(200);
    const res = await app.api("/api/tasks/c", { method: "DELETE" });
    expect(res.status).toBeLessThan(300);
    const { tasks } = await fileTasks(app);
    expect([...tasks.keys()].sort()).toEqual(["a", "b"]);
    expect(tasks.get("b")!.schedule).toBe("1 * * * *");
  });

  it("POST of a task with DEL and C1 controls answers 201, and the file holds them as escapes", async () => {
    const name = "del\x7f c1\x80\x9f nel\x85x";
    const res = await app.api("/api/tasks", { method: "POST", json: { id: "ctl", name, schedule: "0 3 * * *", command: "echo \x7f", description: "\x85" } });
    expect(res.status).toBe(201);
    expect((await res.json()).task).toMatchObject({ name, command: "echo \x7f", description: "\x85" });
    const { text, tasks } = await fileTasks(app);
    expect(text).not.toMatch(/[\x7f-\x9f]/);
    expect(text).toContain('name: "del\\x7F c1\\x80\\x9F nel\\Nx"');
    expect(tasks.get("ctl")).toMatchObject({ name, command: "echo \x7f", description: "\x85" });
    // Both sides agree: a sync right after is a no-op, and the file stays valid.
    const run = await (await trigger(app)).json();
    expect(run).toMatchObject({ status: "success", conflicts: 0, changedTaskIds: [] });
    expect((await (await fetch(`${app.url}/api/health`)).json()).yaml).toEqual({ valid: true });
  });

  it("a task with an id YAML reads as a number is written quoted", async () => {
    const res = await app.api("/api/tasks", { method: "POST", json: { id: "007", name: "Bond", schedule: "0 7 * * *", command: "x" } });
    expect(res.status).toBe(201);
    const { text, tasks } = await fileTasks(app);
    expect(text).toContain('"007":');
    expect(tasks.get("007")).toMatchObject({ name: "Bond" });
  });

  it("a file with description: .nan is refused after one with description: ~ was synced", async () => {
    const base = await fs.readFile(app.yamlPath, "utf8");
    const withDescription = (value: string) => base.replace("\ntasks:\n", `\ntasks:\n  nan-test: {name: N, schedule: "0 4 * * *", command: n, description: ${value}}\n`);
    await fs.writeFile(app.yamlPath, withDescription("~"));
    const accepted = await trigger(app);
    expect(await accepted.json()).toMatchObject({ status: "success", changedTaskIds: ["nan-test"] });
    await fs.writeFile(app.yamlPath, withDescription(".nan"));
    const refused = await trigger(app);
    expect(refused.status).toBe(409);
    expect((await refused.json()).error).toMatchObject({ code: "yaml_invalid", message: expect.stringMatching(/nan-test/) });
    // A plain id other readers take for a number is refused too, with where and how to quote it.
    await fs.writeFile(app.yamlPath, withDescription("~").replace("  nan-test:", "  0123:"));
    const plainId = await trigger(app);
    expect(plainId.status).toBe(409);
    expect((await plainId.json()).error.message).toMatch(/task id 0123 is read as the number 123 by YAML 1\.2 readers; quote it: "0123":/);
  });
});
