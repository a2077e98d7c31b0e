import fs from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSchedule } from "@/lib/yaml";
import { DB_KINDS } from "../_support/databases";
import { startAppProcess, type AppProcess } from "../_support/app-process";

const SEED = `# team schedule
version: 1
tasks:
  daily-backup:
    name: Daily database backup   # keep this comment
    schedule: "0 2 * * *"
    command: /opt/scripts/backup.sh --full
    enabled: true
    tags: [ops, db]
`;

async function yamlTasks(app: AppProcess) {
  const parsed = parseSchedule(await fs.readFile(app.yamlPath, "utf8"));
  if (!parsed.ok) throw new Error(parsed.issues[0].message);
  return parsed.tasks;
}

describe.each(DB_KINDS)("task API on %s", (kind) => {
  let app: AppProcess;
  beforeAll(async () => {
    app = await startAppProcess({ db: kind, yaml: SEED });
  });
  afterAll(async () => {
    await app?.dispose();
  });

  it("reports health without a token", async () => {
    const res = await fetch(`${app.url}/api/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", db: kind, yaml: { valid: true } });
  });

  it("imports the YAML file at start-up", async () => {
    const res = await app.api("/api/tasks");
    const body = await res.json();
    expect(res.status).toBe(200);
    expect(body.total).toBe(1);
    expect(body.items[0]).toMatchObject({ id: "daily-backup", tags: ["ops", "db"], version: 1, source: "yaml", conflict: null });
  });

  it("creates a task and writes it through to the YAML file, keeping comments", async () => {
    const res = await app.api("/api/tasks", {
      method: "POST",
      json: { id: "hourly-check", name: "Hourly check", schedule: "0  * * * *", command: "curl -f http://localhost/health" },
    });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.task).toMatchObject({ id: "hourly-check", schedule: "0 * * * *", timezone: "UTC", enabled: true, version: 1 });
    expect(body.conflict).toBeNull();
    const text = await fs.readFile(app.yamlPath, "utf8");
    expect(text).toContain("# keep this comment");
    expect((await yamlTasks(app)).get("hourly-check")).toMatchObject({ name: "Hourly check", schedule: "0 * * * *" });
  });

  it("refuses a duplicate id with 409", async () => {
    const res = await app.api("/api/tasks", {
      method: "POST",
      json: { id: "hourly-check", name: "x", schedule: "0 * * * *", command: "x" },
    });
    expect(res.status).toBe(409);
    expect((await res.json()).error.code).toBe("already_exists");
  });

  it("answers 400 naming each bad field", async () => {
    const res = await app.api("/api/tasks", {
      method: "POST",
      json: { id: "Bad Id", name: "", schedule: "61 * * * *", timezone: "Mars/Olympus", command: "x", enabled: "yes", extra: 1 },
    });
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error.code).toBe("validation_error");
    const fields = error.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(expect.arrayContaining(["id", "name", "schedule", "timezone", "enabled"]));
    expect(JSON.stringify(error.details)).toContain("extra");
  });

  it("answers 400 for malformed JSON", async () => {
    const res = await app.api("/api/tasks", { method: "POST", body: "{not json", headers: { "content-type": "application/json" } });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe("invalid_json");
  });

  it("patches with optimistic concurrency and answers 409 when stale", async () => {
    const ok = await app.api("/api/tasks/hourly-check", { method: "PATCH", json: { enabled: false, version: 1 } });
    expect(ok.status).toBe(200);
    expect((await ok.json()).task).toMatchObject({ enabled: false, version: 2 });
    expect((await yamlTasks(app)).get("hourly-check")?.enabled).toBe(false);

    const stale = await app.api("/api/tasks/hourly-check", { method: "PATCH", json: { enabled: true, version: 1 } });
    expect(stale.status).toBe(409);
    const { error } = await stale.json();
    expect(error.code).toBe("stale_version");
    expect(error.details.current.version).toBe(2);
  });

  it("replaces a task with PUT", async () => {
    const res = await app.api("/api/tasks/hourly-check", {
      method: "PUT",
      json: { name: "Hourly check v2", schedule: "*/30 * * * *", command: "true", description: "every half hour", tags: ["ops"] },
    });
    expect(res.status).toBe(200);
    expect((await res.json()).task).toMatchObject({ name: "Hourly check v2", enabled: true, description: "every half hour", version: 3 });
    expect((await yamlTasks(app)).get("hourly-check")).toMatchObject({ schedule: "*/30 * * * *", tags: ["ops"] });
  });

  it("answers 404 for an unknown task and 400 for a malformed id", async () => {
    expect((await app.api("/api/tasks/nope")).status).toBe(404);
    expect((await app.api("/api/tasks/NOPE!")).status).toBe(400);
  });

  it("deletes a task from both sides", async () => {
    const res = await app.api("/api/tasks/hourly-check", { method: "DELETE" });
    expect(res.status).toBe(200);
    expect((await app.api("/api/tasks/hourly-check")).status).toBe(404);
    expect((await yamlTasks(app)).has("hourly-check")).toBe(false);
  });

  it("filters and paginates the list", async () => {
    for (let i = 0; i < 5; i++) {
      await app.api("/api/tasks", { method: "POST", json: { id: `job-${i}`, name: `Job ${i}`, schedule: "0 3 * * *", command: "run", tags: i % 2 ? ["odd"] : [] } });
    }
    const page = await (await app.api("/api/tasks?limit=2&offset=1&q=job")).json();
    expect(page.total).toBe(5);
    expect(page.items.map((t: { id: string }) => t.id)).toEqual(["job-1", "job-2"]);
    const odd = await (await app.api("/api/tasks?tag=odd")).json();
    expect(odd.items.map((t: { id: string }) => t.id)).toEqual(["job-1", "job-3"]);
    expect((await app.api("/api/tasks?limit=0")).status).toBe(400);
  });
});
