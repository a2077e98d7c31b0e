import fs from "node:fs/promises";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, startAppProcess, TEST_TOKEN, type AppProcess } from "../_support/app-process";
import { POSTGRES_ADMIN_URL } from "../_support/databases";
import { backup, health, yamlOf } from "../_support/engine-harness";
import { waitFor } from "../reliability/_app";
import { parsePrometheus, type Scrape } from "./_prometheus";

/**
 * Issue #21: the real production server (JSON logs, NODE_ENV=production) on a PostgreSQL
 * database of its own, watched from outside the way Prometheus, a log shipper and Kubernetes
 * would: /metrics scraped and parsed after a scripted session of edits, a conflict, an invalid
 * file and a failed write; the log lines parsed as JSON; readiness while PostgreSQL refuses
 * connections to the test's database, and after.
 */

const METRICS_TOKEN = "metrics-token-0123456789abcdef";

describe("logs, metrics and health of a running server", { timeout: 180_000 }, () => {
  let app: AppProcess;
  let origin: string;

  const scrape = async (token = METRICS_TOKEN): Promise<Scrape> => {
    const res = await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    return parsePrometheus(text);
  };
  const logLines = () =>
    app
      .output()
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => ({ line, json: parseOrNull(line) }));

  beforeAll(async () => {
    app = await startAppProcess({
      db: "postgresql",
      yaml: yamlOf({ "daily-backup": backup, "hourly-health": health }),
      // Hand edits wait for a person's "Sync now", so a hand edit and an API edit can meet.
      env: { SYNC_WATCH: "off", METRICS_TOKEN },
    });
    origin = new URL(app.url).origin;
  }, 120_000);
  afterAll(async () => {
    await app?.dispose();
  });

  it("/metrics takes METRICS_TOKEN or the admin token, and nothing else; METRICS_TOKEN opens nothing else", async () => {
    expect((await fetch(`${app.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${app.url}/metrics`, { headers: { authorization: "Bearer wrong-token-0123456789abcdef" } })).status).toBe(401);
    expect((await fetch(`${app.url}/metrics`, { method: "POST", headers: { authorization: `Bearer ${METRICS_TOKEN}`, origin } })).status).toBe(405);
    await scrape(METRICS_TOKEN);
    await scrape(TEST_TOKEN);
    expect((await fetch(`${app.url}/api/tasks`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(401);
    expect((await fetch(`${app.url}/api/sync/status`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(401);
  });

  it("every metric moves as a scripted session of edits, a conflict, an invalid file and a failed write happens", async () => {
    const before = await scrape();
    // Node's default metrics and the gauges read at scrape time.
    expect(before.value("process_cpu_user_seconds_total")).toBeGreaterThan(0);
    expect(before.value("nodejs_eventloop_lag_seconds")).toBeDefined();
    expect(before.types.get("schedule_sync_run_duration_seconds")).toBe("histogram");
    expect(before.value("schedule_sync_runs_total", { trigger: "startup", outcome: "success" })).toBe(1);
    expect(before.value("schedule_sync_tasks", { state: "in_sync" })).toBe(2);
    expect(before.value("schedule_sync_open_conflicts")).toBe(0);
    expect(before.value("schedule_sync_yaml_valid")).toBe(1);
    const sinceStart = before.value("schedule_sync_seconds_since_last_successful_sync")!;
    expect(sinceStart).toBeGreaterThanOrEqual(0);
    expect(sinceStart).toBeLessThan(120);

    // 1. An API edit: a run of trigger api, the request timed by its route template.
    const edit = await app.api("/api/tasks/daily-backup", { method: "PATCH", json: { schedule: "15 2 * * *" } });
    expect(edit.status).toBe(200);
    // 2. A hand edit, synced by a person: save → applied is observed.
    await fs.writeFile(app.yamlPath, yamlOf({ "daily-backup": { ...backup, schedule: "15 2 * * *" }, "hourly-health": { ...health, name: "Health (hand)" } }));
    await new Promise((resolve) => setTimeout(resolve, 300)); // the watcher notes the save
    expect((await scrape()).value("schedule_sync_tasks", { state: "differs" })).toBe(1);
    expect((await app.api("/api/sync/trigger", { method: "POST", json: {} })).status).toBe(200);
    // 3. A conflict: the same field edited by hand and through the API before a sync.
    await fs.writeFile(app.yamlPath, yamlOf({ "daily-backup": { ...backup, schedule: "15 2 * * *", name: "Backup (hand)" }, "hourly-health": { ...health, name: "Health (hand)" } }));
    const clash = await app.api("/api/tasks/daily-backup", { method: "PATCH", json: { name: "Backup (api)" } });
    expect(clash.status).toBe(202);
    // A caller's mistake is not a write-through failure.
    expect((await app.api("/api/tasks/no-such-task", { method: "PATCH", json: { enabled: false } })).status).toBe(404);
    // 4. An invalid file: the next sync fails, and so does an API write (a write-through failure).
    await fs.writeFile(app.yamlPath, "version: 1\ntasks:\n  hourly-health: [unclosed\n");
    expect((await app.api("/api/sync/trigger", { method: "POST", json: {} })).status).toBe(409);
    expect((await app.api("/api/tasks/hourly-health", { method: "PATCH", json: { enabled: false } })).status).toBe(409);

    const after = await scrape();
    const moved = (name: string, labels?: Record<string, string>) => (after.value(name, labels) ?? 0) - (before.value(name, labels) ?? 0);
    expect(moved("schedule_sync_runs_total", { trigger: "api", outcome: "success" })).toBe(2);
    expect(moved("schedule_sync_runs_total", { trigger: "manual", outcome: "success" })).toBe(1);
    expect(moved("schedule_sync_runs_total", { trigger: "manual", outcome: "error" })).toBe(1);
    expect(moved("schedule_sync_run_duration_seconds_count", { trigger: "api" })).toBe(2);
    expect(moved("schedule_sync_run_duration_seconds_sum")).toBeGreaterThan(0);
    expect(moved("schedule_sync_file_save_to_applied_seconds_count")).toBe(1);
    expect(after.value("schedule_sync_file_save_to_applied_seconds_sum")).toBeGreaterThan(0.25);
    expect(moved("schedule_sync_write_through_failures_total", { reason: "yaml_invalid" })).toBe(1);
    expect(moved("schedule_sync_write_through_failures_total")).toBe(1);
    expect(moved("schedule_sync_lock_wait_seconds_count", { lock: "file" })).toBeGreaterThanOrEqual(4);
    expect(moved("schedule_sync_lock_wait_seconds_count", { lock: "database" })).toBeGreaterThanOrEqual(3);
    expect(after.value("schedule_sync_open_conflicts")).toBe(1);
    expect(after.value("schedule_sync_oldest_open_conflict_seconds")).toBeGreaterThan(0);
    expect(after.value("schedule_sync_tasks", { state: "conflict" })).toBe(1);
    expect(after.value("schedule_sync_tasks", { state: "held_deletion" })).toBe(0);
    expect(after.value("schedule_sync_yaml_valid")).toBe(0);
    expect(moved("schedule_sync_http_request_duration_seconds_count", { method: "PATCH", route: "/api/tasks/:id", status: "200" })).toBe(1);
    expect(moved("schedule_sync_http_request_duration_seconds_count", { method: "PATCH", route: "/api/tasks/:id", status: "202" })).toBe(1);
    expect(moved("schedule_sync_http_request_duration_seconds_count", { method: "POST", route: "/api/sync/trigger" })).toBe(2);
    // Paths the gate refused are one label whatever they were; raw ids never become labels.
    for (let i = 0; i < 3; i++) expect((await fetch(`${app.url}/api/made-up-${i}/x`)).status).toBe(401);
    // A request is counted when its response closes, a moment after the client has it.
    const refused = await waitFor(async () => {
      const now = await scrape();
      return (now.value("schedule_sync_http_request_duration_seconds_count", { route: "denied", status: "401" }) ?? 0) >= 3 ? now : null;
    }, "the refused requests counted");
    expect(refused.samples.some((s) => Object.values(s.labels).some((v) => v.includes("made-up")))).toBe(false);
    expect(after.samples.some((s) => Object.values(s.labels).some((v) => v.includes("daily-backup") || v.includes("no-such-task")))).toBe(false);

    // The file fixed and the conflict resolved: validity and conflicts come back.
    await fs.writeFile(app.yamlPath, yamlOf({ "daily-backup": { ...backup, schedule: "15 2 * * *", name: "Backup (hand)" }, "hourly-health": { ...health, name: "Health (hand)" } }));
    expect((await app.api("/api/sync/trigger", { method: "POST", json: {} })).status).toBe(200);
    const conflicts = (await (await app.api("/api/sync/conflicts?status=open")).json()) as { items?: { id: string }[] } | { id: string }[];
    const open = Array.isArray(conflicts) ? conflicts : (conflicts.items ?? []);
    expect(open).toHaveLength(1);
    expect((await app.api(`/api/sync/conflicts/${open[0]!.id}/resolve`, { method: "POST", json: { resolution: "keep_db" } })).status).toBe(200);
    const healed = await scrape();
    expect(healed.value("schedule_sync_yaml_valid")).toBe(1);
    expect(healed.value("schedule_sync_open_conflicts")).toBe(0);
    expect(healed.value("schedule_sync_oldest_open_conflict_seconds")).toBe(0);
    expect(healed.value("schedule_sync_tasks", { state: "in_sync" })).toBe(2);
    expect((healed.value("schedule_sync_runs_total", { trigger: "resolve", outcome: "success" }) ?? 0) - (after.value("schedule_sync_runs_total", { trigger: "resolve", outcome: "success" }) ?? 0)).toBe(1);
  });

  it("the sample alert rules in docs/ name only metrics the server exports", async () => {
    const rules = parseYaml(await fs.readFile(path.join(ROOT, "docs/prometheus-alerts.yml"), "utf8")) as { groups: { rules: { alert: string; expr: string; for: string }[] }[] };
    const all = rules.groups.flatMap((g) => g.rules);
    expect(all.map((r) => r.alert)).toEqual(["ScheduleFileInvalid", "ScheduleSyncStalled", "ScheduleConflictOpen"]);
    const exported = await scrape();
    for (const rule of all) {
      const names = rule.expr.match(/schedule_sync_[a-z_]+/g) ?? [];
      expect(names.length, rule.alert).toBeGreaterThan(0);
      for (const name of names) expect(exported.types.has(name), `${rule.alert}: ${name}`).toBe(true);
    }
  });

  it("logs JSON lines: one per request with method, route, status, duration and actor; one per sync run; never a token or a cookie", async () => {
    const login = await fetch(`${app.url}/api/auth/login`, { method: "POST", headers: { origin, "content-type": "application/json" }, body: JSON.stringify({ token: TEST_TOKEN }) });
    expect(login.status).toBe(200);
    const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
    const secret = cookie.split("=")[1]!;
    expect((await fetch(`${app.url}/api/tasks/daily-backup`, { headers: { cookie } })).status).toBe(200);
    expect((await fetch(`${app.url}/api/tasks?q=${TEST_TOKEN}`, { headers: { authorization: "Bearer not-the-token-0123456789" } })).status).toBe(401);

    const lines = await waitFor(() => {
      const found = logLines();
      // A line is written when its response closes, which can be after the client has its headers.
      const has = (route: string, status: number) => found.some((l) => l.json?.method === "GET" && l.json?.route === route && l.json?.status === status);
      return has("/api/tasks", 401) && has("/api/tasks/:id", 200) ? found : null;
    }, "the request lines");
    // Everything the server logs is JSON; Next.js prints one line of its own while it prepares.
    expect(lines.filter((l) => l.json === null && !/^✓ Running next\.config\.mjs took \d+ms$/.test(l.line.trim())).map((l) => l.line)).toEqual([]);
    for (const { json } of lines.filter((l) => l.json !== null)) {
      expect(typeof json!.time).toBe("string");
      expect(["debug", "info", "warn", "error", "fatal"]).toContain(json!.level);
      expect(typeof json!.module).toBe("string");
      expect(typeof json!.msg).toBe("string");
    }
    const requests = lines.flatMap((l) => (l.json ? [l.json] : [])).filter((j) => j.msg === "request");
    const byCookie = requests.find((j) => j.route === "/api/tasks/:id" && j.method === "GET" && j.status === 200);
    expect(byCookie).toMatchObject({ module: "http", level: "info", actor: "admin_token", role: "admin" });
    expect(typeof byCookie!.durationMs).toBe("number");
    expect(requests.find((j) => j.method === "PATCH" && j.status === 202)).toMatchObject({ route: "/api/tasks/:id", actor: "admin_token" });
    expect(requests.find((j) => j.route === "/api/tasks" && j.status === 401)).toMatchObject({ actor: "anonymous", method: "GET" });
    expect(requests.find((j) => j.route === "/metrics" && j.status === 200)).toMatchObject({ actor: "anonymous", method: "GET" });
    expect(requests.find((j) => j.route === "/metrics" && j.status === 401)).toBeDefined();

    const runs = lines.flatMap((l) => (l.json ? [l.json] : [])).filter((j) => j.module === "sync" && /^sync run/.test(String(j.msg)));
    const startup = runs.find((j) => j.trigger === "startup")!;
    expect(startup).toMatchObject({ outcome: "success", total: 2, inSync: 0, toDb: { create: 2, update: 0, delete: 0 }, conflicts: 0 });
    expect(typeof startup.durationMs).toBe("number");
    expect(runs.find((j) => j.trigger === "manual" && j.outcome === "error")).toMatchObject({ level: "warn", error: expect.stringContaining("invalid") });
    expect(runs.filter((j) => j.trigger === "api").length).toBeGreaterThanOrEqual(2);

    // No credential anywhere: not the admin token (sent as a bearer, in a login body, in a query), the metrics token, or the session's secret.
    const output = app.output();
    for (const credential of [TEST_TOKEN, METRICS_TOKEN, secret, "not-the-token-0123456789"]) expect(output.includes(credential), credential.slice(0, 8)).toBe(false);
  });

  it("/api/health/live answers while /api/health/ready fails as PostgreSQL refuses connections to the database, and recovers", async () => {
    const ready = await fetch(`${app.url}/api/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready", checks: { database: { ok: true }, migrations: { ok: true }, file: { ok: true }, watcher: { ok: true } } });
    expect((await fetch(`${app.url}/api/health/live`)).status).toBe(200);
    expect((await fetch(`${app.url}/api/health`)).status).toBe(200);

    // Only this test's own database (startAppProcess created it); the cluster keeps running.
    const name = new URL(app.databaseUrl!).pathname.slice(1);
    expect(name).toMatch(/^schedule_sync_test_/);
    const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name]);
      const refused = await waitFor(async () => {
        const res = await fetch(`${app.url}/api/health/ready`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
        return res.status === 503 ? ((await res.json()) as { status: string; checks: Record<string, { ok: boolean; error?: string }> }) : null;
      }, "readiness to fail");
      expect(refused.status).toBe("not_ready");
      expect(refused.checks.database!.ok).toBe(false);
      expect(refused.checks.watcher!.ok).toBe(true);
      // Without credentials, no reasons.
      const anonymous = (await (await fetch(`${app.url}/api/health/ready`)).json()) as { checks: Record<string, unknown> };
      expect(anonymous.checks.database).toEqual({ ok: false });
      expect((await fetch(`${app.url}/api/health/live`)).status).toBe(200);
    } finally {
      await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
      await admin.end();
    }
    await waitFor(async () => ((await fetch(`${app.url}/api/health/ready`)).status === 200 ? true : null), "readiness to recover");
    expect((await app.api("/api/tasks/daily-backup")).status).toBe(200);
  });
});

function parseOrNull(line: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(line);
    return value && typeof value === "object" ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
