import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createAuthenticator } from "@/lib/auth/authenticate";
import { createFailureLimiter } from "@/lib/auth/failure-limiter";
import type { Access, Role } from "@/lib/auth/principal";
import { createSessionStore, credentialFingerprint } from "@/lib/auth/session-store";
import { loadConfig } from "@/lib/config/env";
import { createCore, type Core } from "@/lib/core/create-core";
import { setServices } from "@/lib/core/services";
import type { Database } from "@/lib/db/create-database";
import { createLogger } from "@/lib/log";
import { MIGRATIONS_DIR } from "@/lib/db/migrate";
import { checkReadiness, migrationNames } from "@/lib/ops/readiness";
import { createPeopleStore, type PeopleStore } from "@/lib/people/people-store";
import { startWebhookDispatcher, type WebhookDispatcher } from "@/lib/webhooks/webhook-dispatcher";
import { createWebhookStore } from "@/lib/webhooks/webhook-store";
import { apiRouteFiles } from "../_support/api-routes";
import { openTestDatabase } from "../_support/databases";
import { backup, yamlOf } from "../_support/engine-harness";

// Route handlers are server-only modules; outside Next's react-server build the marker throws.
vi.mock("server-only", () => ({}));

/**
 * Issue #18: every route's least role, walked for every caller: nobody (401), each role below
 * the route's (403, and nothing changed anywhere), each role at or above it (2xx). The route
 * handlers run in this process without the front door, so this is the handler wrapper's own
 * check (the second line). The table below is the spec: a route added without a line here
 * fails the first test.
 */

const ADMIN_TOKEN = "roles-matrix-admin-token-0123456789";
const CALLERS = ["none", "viewer", "editor", "admin"] as const;
type Caller = (typeof CALLERS)[number];

interface Call {
  path: string;
  params?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Each route × method: the least role, and a request that succeeds for a caller allowed it. */
const MATRIX: Record<string, { least: Access; call: (role: Role) => Call; ok?: number }> = {
  // Public, and not configured in this suite (404): tests/people/oidc.test.ts signs in for real.
  "GET /api/auth/oidc/start": { least: "public", call: () => ({ path: "/api/auth/oidc/start" }), ok: 404 },
  "GET /api/auth/oidc/callback": { least: "public", call: () => ({ path: "/api/auth/oidc/callback" }), ok: 404 },
  // Public (its shared secret is the credential) and git mode is off here (404): tests/git/git-server.test.ts pushes for real.
  "POST /api/git/webhook": { least: "public", call: () => ({ path: "/api/git/webhook", headers: { "x-gitlab-token": "a-guess-0123456789" }, body: {} }), ok: 404 },
  "GET /api/git/status": { least: "viewer", call: () => ({ path: "/api/git/status" }) },
  "GET /api/health": { least: "public", call: () => ({ path: "/api/health" }) },
  "GET /api/health/live": { least: "public", call: () => ({ path: "/api/health/live" }) },
  "GET /api/health/ready": { least: "public", call: () => ({ path: "/api/health/ready" }) },
  "GET /api/export": { least: "viewer", call: () => ({ path: "/api/export?format=json" }) },
  "POST /api/auth/login": { least: "public", call: () => ({ path: "/api/auth/login", body: { token: ADMIN_TOKEN } }) },
  "POST /api/auth/logout": { least: "viewer", call: () => ({ path: "/api/auth/logout" }) },
  "GET /api/auth/me": { least: "viewer", call: () => ({ path: "/api/auth/me" }) },
  "GET /api/schedule/preview": { least: "viewer", call: () => ({ path: "/api/schedule/preview?schedule=0+2+*+*+*" }) },
  "GET /api/sync/conflicts": { least: "viewer", call: () => ({ path: "/api/sync/conflicts" }) },
  "GET /api/sync/conflicts/[id]": { least: "viewer", call: () => ({ path: `/api/sync/conflicts/${conflicts.viewer}`, params: { id: conflicts.viewer! } }) },
  "POST /api/sync/conflicts/[id]/resolve": {
    least: "editor",
    call: (role) => ({ path: `/api/sync/conflicts/${conflicts[role]}/resolve`, params: { id: conflicts[role]! }, body: { resolution: "keep_db" } }),
  },
  "GET /api/sync/held-deletions": { least: "viewer", call: () => ({ path: "/api/sync/held-deletions" }) },
  "POST /api/sync/held-deletions": { least: "admin", call: () => ({ path: "/api/sync/held-deletions", body: { deletedIn: "yaml", action: "restore" } }) },
  "GET /api/sync/revisions": { least: "viewer", call: () => ({ path: "/api/sync/revisions" }) },
  "GET /api/sync/revisions/[id]": { least: "viewer", call: () => ({ path: `/api/sync/revisions/${revisionId}`, params: { id: revisionId } }) },
  // Editors see a restore's plan; applying it needs an admin (the test below).
  "POST /api/sync/revisions/[id]/restore": {
    least: "editor",
    call: () => ({ path: `/api/sync/revisions/${revisionId}/restore`, params: { id: revisionId }, body: { dryRun: true } }),
  },
  "GET /api/sync/runs": { least: "viewer", call: () => ({ path: "/api/sync/runs" }) },
  "GET /api/sync/runs/[id]": { least: "viewer", call: () => ({ path: `/api/sync/runs/${runId}`, params: { id: runId } }) },
  "GET /api/sync/status": { least: "viewer", call: () => ({ path: "/api/sync/status" }) },
  "POST /api/sync/trigger": { least: "editor", call: () => ({ path: "/api/sync/trigger", body: {} }) },
  "GET /api/tasks": { least: "viewer", call: () => ({ path: "/api/tasks" }) },
  "POST /api/tasks": { least: "editor", call: (role) => ({ path: "/api/tasks", body: { id: `new-${role}`, name: "New", schedule: "0 1 * * *", command: "/bin/true" } }) },
  "GET /api/tasks/[id]": { least: "viewer", call: () => ({ path: "/api/tasks/daily-backup", params: { id: "daily-backup" } }) },
  "PUT /api/tasks/[id]": {
    least: "editor",
    call: (role) => ({ path: `/api/tasks/t-${role}`, params: { id: `t-${role}` }, body: { name: "Put", schedule: "0 3 * * *", command: "/bin/true" } }),
  },
  "PATCH /api/tasks/[id]": { least: "editor", call: (role) => ({ path: `/api/tasks/t-${role}`, params: { id: `t-${role}` }, body: { name: "Patched" } }) },
  "DELETE /api/tasks/[id]": { least: "editor", call: (role) => ({ path: `/api/tasks/d-${role}`, params: { id: `d-${role}` } }) },
  "GET /api/tasks/[id]/history": { least: "viewer", call: () => ({ path: "/api/tasks/daily-backup/history", params: { id: "daily-backup" } }) },
  "POST /api/tasks/[id]/revert": {
    least: "editor",
    call: (role) => ({ path: `/api/tasks/t-${role}/revert`, params: { id: `t-${role}` }, body: { changeId: changeIds[role] } }),
  },
  "GET /api/users": { least: "admin", call: () => ({ path: "/api/users" }) },
  "POST /api/users": { least: "admin", call: () => ({ path: "/api/users", body: { username: "newcomer", role: "viewer" } }) },
  "PATCH /api/users/[id]": { least: "admin", call: () => ({ path: "/api/users/victim", params: { id: "victim" }, body: { role: "editor" } }) },
  "DELETE /api/users/[id]": { least: "admin", call: () => ({ path: "/api/users/gone", params: { id: "gone" } }) },
  "GET /api/tokens": { least: "admin", call: () => ({ path: "/api/tokens" }) },
  "POST /api/tokens": { least: "admin", call: () => ({ path: "/api/tokens", body: { name: "new-token", role: "viewer", expiresInDays: 30 } }) },
  "DELETE /api/tokens/[id]": { least: "admin", call: () => ({ path: "/api/tokens/old-token", params: { id: "old-token" } }) },
  "GET /api/webhooks": { least: "admin", call: () => ({ path: "/api/webhooks" }) },
  "POST /api/webhooks": {
    least: "admin",
    call: () => ({ path: "/api/webhooks", body: { name: "new-hook", url: "http://127.0.0.1:9/hook", secret: "a-secret-of-sixteen+", events: ["schedule.changed"] } }),
    ok: 201,
  },
  "PATCH /api/webhooks/[id]": { least: "admin", call: () => ({ path: `/api/webhooks/${hooks.kept}`, params: { id: hooks.kept! }, body: { enabled: false } }) },
  "DELETE /api/webhooks/[id]": { least: "admin", call: () => ({ path: `/api/webhooks/${hooks.gone}`, params: { id: hooks.gone! } }) },
  "GET /api/webhooks/[id]/deliveries": { least: "admin", call: () => ({ path: `/api/webhooks/${hooks.kept}/deliveries`, params: { id: hooks.kept! } }) },
};

const RANK: Record<Caller, number> = { none: 0, viewer: 1, editor: 2, admin: 3 };
const allowed = (caller: Caller, least: Access) => least === "public" || RANK[caller] >= RANK[least];

let database: { db: Database; drop(): Promise<void> };
let core: Core;
let people: PeopleStore;
let dir: string;
let yamlPath: string;
const secrets: Partial<Record<Role, string>> = {};
const conflicts: Partial<Record<Role, string>> = {};
const changeIds: Partial<Record<Role, string>> = {};
let runId: string;
let revisionId: string;
const hooks: { kept?: string; gone?: string } = {};
let dispatcher: WebhookDispatcher | undefined;

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
const handlers = new Map<string, Handler>();

beforeAll(async () => {
  database = await openTestDatabase("pglite");
  const { db } = database;
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "schedule-sync-roles-"));
  yamlPath = path.join(dir, "schedule_config.yml");
  const seeded: Record<string, Record<string, unknown>> = { "daily-backup": backup };
  for (const role of ["viewer", "editor", "admin"] as const) {
    for (const prefix of ["t", "d", "c"]) seeded[`${prefix}-${role}`] = { ...backup, name: `${prefix} ${role}` };
  }
  await fs.writeFile(yamlPath, yamlOf(seeded));
  const config = loadConfig({ NODE_ENV: "test", ADMIN_TOKEN, DATA_DIR: dir, SCHEDULE_CONFIG_PATH: yamlPath, SYNC_WATCH: "off" }, dir);
  core = await createCore(config, { db, log: () => undefined });
  await core.sync.run({ trigger: "startup" });
  // One open conflict per role: the file and the DB changed the same field differently.
  for (const role of ["viewer", "editor", "admin"]) seeded[`c-${role}`] = { ...seeded[`c-${role}`], schedule: "5 5 * * *" };
  await fs.writeFile(yamlPath, yamlOf(seeded));
  for (const role of ["viewer", "editor", "admin"] as const) {
    const result = await core.sync.writeTask({ kind: "patch", id: `c-${role}`, patch: (t) => ({ ...t, schedule: "6 6 * * *" }) });
    expect(result.conflict, `conflict of c-${role}`).not.toBeNull();
    conflicts[role] = result.conflict!.id;
    changeIds[role] = (await core.storage.reads.taskHistory(`t-${role}`)).at(-1)!.id;
  }
  runId = (await core.storage.reads.listRuns({ limit: 1 }))[0]!.id;
  revisionId = (await core.storage.reads.listRevisions({ limit: 1 }))[0]!.id;

  people = createPeopleStore({ db });
  for (const role of ["viewer", "editor", "admin"] as const) secrets[role] = (await people.createToken({ name: `as-${role}`, role })).secret;
  await people.addUser({ username: "victim", role: "viewer" });
  await people.addUser({ username: "gone", role: "viewer" });
  await people.createToken({ name: "old-token", role: "viewer" });
  const sessions = createSessionStore({ db, idleSeconds: 3600, maxSeconds: 86_400, adminTokenFingerprint: credentialFingerprint(ADMIN_TOKEN) });
  const auth = createAuthenticator({ adminToken: ADMIN_TOKEN, sessions, people });
  const { storage, store, events, sync } = core;
  const webhooks = createWebhookStore(db);
  for (const name of ["kept", "gone"] as const) {
    hooks[name] = (await webhooks.create({ name, url: "http://127.0.0.1:9/hook", secret: "a-secret-of-sixteen+", events: ["conflict.opened"], format: "standard", enabled: true })).id;
  }
  dispatcher = startWebhookDispatcher({ store: webhooks, events, observer: core.observer, log: createLogger("silent"), baseUrl: () => "http://localhost" });
  const readiness = () => checkReadiness({ db, expectedMigrations: migrationNames(MIGRATIONS_DIR), file: yamlPath, watcherRunning: () => true });
  setServices({
    config, db, storage, store, events, sync, auth, sessions, people,
    signInFailures: createFailureLimiter({ limit: 10, windowMs: 60_000 }),
    nextCronRun: () => null,
    startedAt: new Date(),
    ops: { readiness, webhooks, dispatcher },
  });

  for (const { file, route } of await apiRouteFiles()) {
    const module = (await import(file)) as Record<string, unknown>;
    for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"]) {
      if (typeof module[method] === "function") handlers.set(`${method} ${route}`, module[method] as Handler);
    }
  }
}, 120_000);

afterAll(async () => {
  await dispatcher?.close();
  setServices(undefined);
  await core?.close();
  await database?.drop();
  await fs.rm(dir, { recursive: true, force: true });
});

function call(key: string, caller: Caller, role: Role = caller === "none" ? "viewer" : caller) {
  const [method] = key.split(" ");
  const { path: urlPath, params = {}, body, headers: extra } = MATRIX[key]!.call(role);
  const headers: Record<string, string> = { host: "localhost", "content-type": "application/json", ...extra };
  if (caller !== "none") headers.authorization = `Bearer ${secrets[caller]}`;
  const req = new Request(`http://localhost${urlPath}`, { method, headers, body: method === "GET" || method === "DELETE" ? undefined : JSON.stringify(body ?? {}) });
  return handlers.get(key)!(req, { params: Promise.resolve(params) });
}

/** Everything a request could change: the tasks, runs, conflicts, people, sessions, and the file. */
async function snapshot() {
  const { db } = database;
  const rows = (sql: string) => db.query(sql);
  return JSON.stringify({
    tasks: await rows(`SELECT id, name, schedule, version FROM tasks ORDER BY id`),
    runs: await rows(`SELECT count(*)::int AS n FROM sync_runs`),
    conflicts: await rows(`SELECT id, status, resolution FROM conflicts ORDER BY id`),
    users: await rows(`SELECT username, role, password_hash FROM users ORDER BY username`),
    tokens: await rows(`SELECT name, role, revoked_at FROM api_tokens ORDER BY name`),
    webhooks: await rows(`SELECT name, url, enabled FROM webhooks ORDER BY name`),
    sessions: await rows(`SELECT count(*)::int AS n FROM sessions`),
    file: await fs.readFile(yamlPath, "utf8"),
  });
}

describe("routes × roles", { timeout: 120_000 }, () => {
  it("declares a least role for every route, and the table names every route", () => {
    expect([...handlers.keys()].sort()).toEqual(Object.keys(MATRIX).sort());
  });

  it("refuses callers below a route's role (401 without credentials, 403 with too small a role) and changes nothing", async () => {
    const before = await snapshot();
    let refusals = 0;
    for (const key of Object.keys(MATRIX)) {
      const { least } = MATRIX[key]!;
      for (const caller of CALLERS) {
        if (allowed(caller, least)) continue;
        const res = await call(key, caller, "editor");
        const body = await res.json();
        expect([res.status, body.error?.code], `${key} as ${caller}`).toEqual(caller === "none" ? [401, "unauthorized"] : [403, "forbidden"]);
        refusals++;
      }
    }
    expect(refusals).toBeGreaterThan(40);
    expect(await snapshot()).toBe(before);
  });

  it("lets an editor run bidirectional syncs, and only an admin force a direction", async () => {
    const before = await snapshot();
    for (const body of [{ direction: "yaml_to_db" }, { direction: "db_to_yaml" }, { force: true }]) {
      const req = new Request("http://localhost/api/sync/trigger", {
        method: "POST",
        headers: { host: "localhost", "content-type": "application/json", authorization: `Bearer ${secrets.editor}` },
        body: JSON.stringify(body),
      });
      const res = await handlers.get("POST /api/sync/trigger")!(req, { params: Promise.resolve({}) });
      expect(res.status, JSON.stringify(body)).toBe(403);
    }
    expect(await snapshot()).toBe(before);
    const dry = new Request("http://localhost/api/sync/trigger", {
      method: "POST",
      headers: { host: "localhost", "content-type": "application/json", authorization: `Bearer ${secrets.editor}` },
      body: JSON.stringify({ direction: "yaml_to_db", dryRun: true }),
    });
    expect((await handlers.get("POST /api/sync/trigger")!(dry, { params: Promise.resolve({}) })).status).toBe(200);
  });

  it("lets an editor see a restore's plan, and only an admin restore a revision", async () => {
    const before = await snapshot();
    const restore = (caller: "editor" | "admin", dryRun: boolean) =>
      handlers.get("POST /api/sync/revisions/[id]/restore")!(
        new Request(`http://localhost/api/sync/revisions/${revisionId}/restore`, {
          method: "POST",
          headers: { host: "localhost", "content-type": "application/json", authorization: `Bearer ${secrets[caller]}` },
          body: JSON.stringify({ dryRun }),
        }),
        { params: Promise.resolve({ id: revisionId }) },
      );
    expect((await restore("editor", false)).status).toBe(403);
    expect((await restore("editor", true)).status).toBe(200);
    expect(await snapshot()).toBe(before);
  });

  it("answers 2xx to every caller at or above a route's role", async () => {
    // Deletions last: the other calls use what they delete.
    const keys = Object.keys(MATRIX).sort((a, b) => Number(a.startsWith("DELETE")) - Number(b.startsWith("DELETE")));
    for (const caller of ["viewer", "editor", "admin"] as const) {
      for (const key of keys) {
        if (!allowed(caller, MATRIX[key]!.least)) continue;
        const res = await call(key, caller);
        const ok = MATRIX[key]!.ok;
        if (ok) {
          expect(res.status, `${key} as ${caller}`).toBe(ok);
          continue;
        }
        expect(res.status, `${key} as ${caller}: ${await res.clone().text()}`).toBeGreaterThanOrEqual(200);
        expect(res.status, `${key} as ${caller}`).toBeLessThan(300);
      }
    }
    // And each change was recorded as its caller's.
    const runs = await core.storage.reads.listRuns({ limit: 200, actor: { kind: "token", name: "as-editor" } });
    expect(runs.map((r) => r.trigger).sort()).toEqual(expect.arrayContaining(["api", "manual", "resolve", "revert"]));
    const history = await core.storage.reads.taskHistory("t-admin");
    expect(history[0]!.actor).toMatchObject({ kind: "token", name: "as-admin" });
    const byApi = history.filter((c) => c.trigger === "api");
    expect(byApi.length).toBeGreaterThanOrEqual(2); // PUT, PATCH
    for (const change of byApi) expect(change.actor).toMatchObject({ kind: "token", name: "as-admin" });
    const resolved = await core.storage.reads.getConflict(conflicts.editor!);
    expect(resolved).toMatchObject({ status: "resolved", resolvedBy: { kind: "token", name: "as-editor" } });
  });
});
