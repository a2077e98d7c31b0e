import fs from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiRoutes } from "../_support/api-routes";
import { ROOT, startAppProcess, type AppProcess } from "../_support/app-process";
import { createPostgresDatabase } from "../_support/databases";
import { backup, health, yamlOf } from "../_support/engine-harness";
import { rawRequest, rawUpgrade, type RawResponse } from "../_support/raw-http";
import { crashLines, pgReader } from "../reliability/_app";
import { PUBLIC_ROUTES } from "../_support/public-routes";

/**
 * Issue #14, findings 1 and 2: nothing gets past the front door without credentials, by any
 * entry Next.js exposes or any spelling of a path. Against a real production server on
 * PostgreSQL, every API route (read from app/api) and the Socket.IO handshake are tried through
 * every entry, with every method, without credentials: the only answers are 400, 401, 403, 404,
 * 405 or a redirect to the login page, never a handshake; and afterwards the database rows and
 * the YAML file's bytes are exactly what they were. Requests are raw (node:http with the target
 * untouched), so nothing on the client side resolves `..` or `//` first.
 */

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
const REFUSALS = new Set([400, 401, 403, 404, 405]);

let app: AppProcess;
let database: { url: string; drop(): Promise<void> };
let origin: string;
let ids: { conflict: string; run: string; change: string };
let before: Snapshot;

type Snapshot = { yaml: string; rows: Record<string, unknown[]> };

/** Every table the app writes, row by row, and the file byte for byte. */
async function snapshot(): Promise<Snapshot> {
  const reader = pgReader(database.url);
  try {
    const rows: Record<string, unknown[]> = {};
    const tables = await reader.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name NOT LIKE '\\_%' ORDER BY 1`);
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(["tasks", "sync_base", "conflicts", "sync_runs", "sync_changes"]));
    for (const { table_name: table } of tables) {
      rows[table] = await reader.query(`SELECT * FROM "${table}" ORDER BY 1`);
    }
    return { yaml: (await fs.readFile(app.yamlPath)).toString("base64"), rows };
  } finally {
    await reader.close();
  }
}

/** A body each mutation would accept with credentials: a way in would change something. */
function bodyFor(route: string): string {
  if (route === "/api/tasks") return JSON.stringify({ id: "walked-in", name: "Walked in", schedule: "0 1 * * *", command: "/bin/true" });
  if (route.startsWith("/api/tasks/") && route.endsWith("/revert")) return JSON.stringify({ changeId: ids.change });
  if (route.startsWith("/api/tasks/")) return JSON.stringify({ name: "Walked in", schedule: "0 1 * * *", command: "/bin/true" });
  if (route === "/api/sync/trigger") return JSON.stringify({ direction: "db_to_yaml", force: true });
  if (route.endsWith("/resolve")) return JSON.stringify({ resolution: "keep_db" });
  return "{}";
}

/** The same route reached another way: every spelling and entry the issue lists, and a few more. */
function entries(route: string): { target: string; headers?: Record<string, string> }[] {
  const bare = route.slice(1); // "api/tasks"
  const encodedLetter = route.replace(/\/([a-z])([^/]*)$/, (_, c: string, rest: string) => `/%${c.charCodeAt(0).toString(16)}${rest}`);
  const buildId = BUILD_ID;
  const stateTree = encodeURIComponent(JSON.stringify(["", { children: ["__PAGE__", {}] }, null, null, true]));
  return [
    { target: route },
    { target: `${route}/` },
    { target: `/${route}` },
    { target: route.replace("/api/", "/api//") },
    { target: `/login/..${route}` },
    { target: `/api/health/../..${route}` },
    { target: `/login/%2e%2e${route}` },
    { target: `/login/%2E%2E${route}` },
    { target: `/login/.%2e${route}` },
    { target: `/_next/static/%2e%2e/%2e%2e${route}` },
    { target: `/_next/static/..%2f..%2f${bare}` },
    { target: `/_next/static/..%2F..%2F${bare}` },
    { target: `/_next/static/../..${route}` },
    { target: `/login/..\\${bare.replaceAll("/", "\\")}` },
    { target: `/login\\..\\..${route}` },
    { target: `${route};.css` },
    { target: `/login;/..${route}` },
    { target: `/socket.io/..${route}` },
    { target: route.toUpperCase() },
    { target: encodedLetter },
    { target: `/_next/image?url=${encodeURIComponent(route)}&w=64&q=75` },
    { target: `/_next/image?url=${encodeURIComponent(`http://127.0.0.1:${new URL(app.url).port}${route}`)}&w=64&q=75` },
    { target: `/_next/data/${buildId}${route}.json` },
    { target: `/_next/data/${buildId}/index.json?__path=${encodeURIComponent(route)}` },
    { target: route, headers: { rsc: "1", "next-router-state-tree": stateTree } },
    { target: route, headers: { rsc: "1", "next-router-prefetch": "1", "next-router-segment-prefetch": "/_tree" } },
    { target: route, headers: { "next-action": "7f".repeat(20), "content-type": "text/plain;charset=UTF-8" } },
    { target: "/", headers: { "next-action": "7f".repeat(20), "content-type": "text/plain;charset=UTF-8" } },
    { target: route, headers: { "x-middleware-subrequest": "middleware:middleware:middleware:middleware:middleware" } },
    { target: route, headers: { "x-middleware-subrequest": "src/middleware:src/middleware:src/middleware:src/middleware:src/middleware" } },
    { target: route, headers: { "x-nextjs-data": "1" } },
    { target: "/login", headers: { "x-matched-path": route, "x-invoke-path": route, "x-now-route-matches": `id=${route}` } },
    { target: route, headers: { "x-middleware-rewrite": "/api/health", "x-middleware-next": "1" } },
    // DNS rebinding: an attacker's name pointed at the server, sent as both Host and Origin.
    { target: route, headers: { host: "evil.example", origin: "http://evil.example" } },
    // A proxy's own credentials are not ours.
    { target: route, headers: { authorization: `Basic ${Buffer.from("admin:admin").toString("base64")}` } },
  ];
}

const HANDSHAKE = "EIO=4&transport=polling";
const SOCKET_TARGETS = [
  `/socket.io/?${HANDSHAKE}`,
  `/socket.io/../login?${HANDSHAKE}`,
  `/socket.io/%2e%2e/login?${HANDSHAKE}`,
  `/socket.io/%2E%2E/login?${HANDSHAKE}`,
  `/login/../socket.io/?${HANDSHAKE}`,
  `/api/health/..%2f..%2fsocket.io/?${HANDSHAKE}`,
  `/_next/static/../../socket.io/?${HANDSHAKE}`,
  `/_next/image?url=${encodeURIComponent(`/socket.io/?${HANDSHAKE}`)}&w=64&q=75`,
  `//socket.io/?${HANDSHAKE}`,
  `/socket.io//?${HANDSHAKE}`,
  `/socket.io/;?${HANDSHAKE}`,
  `/socket.io?${HANDSHAKE}`,
  `/socket.io/x/..?${HANDSHAKE}`,
  `/SOCKET.IO/?${HANDSHAKE}`,
  `/socket.io\\?${HANDSHAKE}`,
];

let BUILD_ID = "";
/** Everything the walk saw that it should not have. */
const violations: string[] = [];
let requests = 0;

function judge(label: string, res: RawResponse, allowSuccess = false) {
  requests++;
  const location = String(res.headers.location ?? "");
  const toLogin = res.status === 303 && location.startsWith("/login?next=");
  const ok = REFUSALS.has(res.status) || toLogin || (allowSuccess && res.status >= 200 && res.status < 300);
  if (!ok) violations.push(`${label} → ${res.status}${location ? ` (location ${location})` : ""} ${res.body.slice(0, 120)}`);
  if (/"sid"\s*:/.test(res.body)) violations.push(`${label} → a Socket.IO handshake: ${res.body.slice(0, 120)}`);
}

/** Runs `tasks` a few at a time: thousands of requests, in order within each. */
async function inParallel<T>(items: T[], limit: number, run: (item: T) => Promise<void>) {
  const queue = [...items];
  await Promise.all(Array.from({ length: limit }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await run(item);
  }));
}

beforeAll(async () => {
  BUILD_ID = (await fs.readFile(path.join(ROOT, process.env.NEXT_DIST_DIR || ".next", "BUILD_ID"), "utf8")).trim();
  database = await createPostgresDatabase();
  app = await startAppProcess({
    db: "postgresql",
    databaseUrl: database.url,
    yaml: yamlOf({ "daily-backup": backup, "hourly-health": health }),
    // No background syncs during the walk; no limit on failed tokens (the walk sends none, but
    // the rate limiter is not what it is testing).
    env: { SYNC_WATCH: "off", AUTH_FAILURE_LIMIT: "1000000" },
  });
  origin = new URL(app.url).origin;
  // Real ids for every [id], and an open conflict, so a way in would have something to do.
  await fs.writeFile(app.yamlPath, yamlOf({ "daily-backup": { ...backup, name: "Renamed in the file" }, "hourly-health": health }));
  const patched = await app.api("/api/tasks/daily-backup", { method: "PATCH", json: { name: "Renamed in the API" } });
  expect(patched.status).toBe(202); // the DB has it, the file keeps the hand edit: a conflict is open
  const conflicts = (await (await app.api("/api/sync/conflicts?status=open")).json()) as { items: { id: string }[] };
  const runs = (await (await app.api("/api/sync/runs")).json()) as { items: { id: string }[] };
  const history = (await (await app.api("/api/tasks/hourly-health/history")).json()) as { items: { id: string }[] };
  expect(conflicts.items.length).toBe(1);
  ids = { conflict: conflicts.items[0]!.id, run: runs.items[0]!.id, change: String(history.items[0]!.id) };
  before = await snapshot();
}, 180_000);

afterAll(async () => {
  await app?.dispose();
  await database?.drop();
});

describe("walking around the gate", { timeout: 300_000 }, () => {
  it("finding 1: the image optimizer neither deletes, nor syncs, nor tells ids apart, nor renders the dashboard", async () => {
    const image = (url: string) => `/_next/image?url=${encodeURIComponent(url)}&w=64&q=75`;
    const deleted = await rawRequest(app.url, { method: "DELETE", target: image("/api/tasks/daily-backup") });
    const synced = await rawRequest(app.url, { method: "POST", target: image("/api/sync/trigger"), headers: { "content-type": "application/json" }, body: "{}" });
    const existing = await rawRequest(app.url, { target: image("/api/tasks/daily-backup") });
    const missing = await rawRequest(app.url, { target: image("/api/tasks/no-such-task") });
    const dashboard = await rawRequest(app.url, { target: image("/") });
    // Even with Host and Origin both set to an attacker's name (DNS rebinding).
    const rebound = await rawRequest(app.url, { method: "DELETE", target: image("/api/tasks/hourly-health"), headers: { host: "evil.example", origin: "http://evil.example" } });
    for (const res of [deleted, synced, existing, missing, dashboard, rebound]) expect([403, 404]).toContain(res.status);
    expect(existing.status).toBe(missing.status);
    expect(dashboard.body).not.toContain("Kept in sync between");
    expect(await snapshot()).toEqual(before);
  });

  it("finding 2: a path that normalizes to a public page does not open the socket, on either transport", async () => {
    const polling = await rawRequest(app.url, { target: `/socket.io/../login?${HANDSHAKE}` });
    expect(polling.status).toBe(400);
    expect(polling.body).not.toContain('"sid"');
    const variants: Record<string, string>[] = [{}, { origin: "http://evil.example" }];
    for (const headers of variants) {
      expect((await rawUpgrade(app.url, "/socket.io/../login?EIO=4&transport=websocket", headers)).status).not.toBe(101);
      expect((await rawUpgrade(app.url, "/socket.io/?EIO=4&transport=websocket", headers)).status).not.toBe(101);
    }
  });

  it("every API route, through every entry, with every method, without credentials, is refused", async () => {
    const routes = (await apiRoutes()).map((r) =>
      r.path.replace(/^\/api\/sync\/conflicts\/[0-9a-f-]{36}/, `/api/sync/conflicts/${ids.conflict}`).replace(/^\/api\/sync\/runs\/[0-9a-f-]{36}/, `/api/sync/runs/${ids.run}`),
    );
    // /metrics (issue #21) is served by the front door itself, with credentials like the API.
    const unique = [...new Set([...routes, "/metrics"])];
    expect(unique.length).toBeGreaterThan(12);
    const work = unique.flatMap((route) => entries(route).flatMap((entry) => METHODS.map((method) => ({ route, method, ...entry }))));
    await inParallel(work, 4, async ({ route, method, target, headers = {} }) => {
      const withBody = method !== "GET" && method !== "HEAD";
      const res = await rawRequest(app.url, {
        method,
        target,
        headers: { ...(withBody ? { "content-type": "application/json", origin } : {}), ...headers },
        body: withBody ? bodyFor(route) : undefined,
      });
      // Only the public routes themselves, asked plainly on an allowed Host, may succeed.
      const plainPublic = PUBLIC_ROUTES.has(route) && target === route && !headers.host;
      judge(`${method} ${target} ${JSON.stringify(headers)}`, res, plainPublic);
    });
    expect(violations.slice(0, 30)).toEqual([]);
    expect(requests).toBeGreaterThan(3_000);
  });

  it("the Socket.IO handshake, through every entry, on both transports, without credentials, is refused", async () => {
    for (const target of SOCKET_TARGETS) {
      for (const method of ["GET", "POST", "OPTIONS"]) {
        judge(`${method} ${target}`, await rawRequest(app.url, { method, target, headers: method === "POST" ? { "content-type": "text/plain", origin } : {} }));
        judge(`${method} ${target} rebound`, await rawRequest(app.url, { method, target, headers: { host: "evil.example", origin: "http://evil.example" } }));
      }
      const websocket = target.replace("transport=polling", "transport=websocket");
      const variants: Record<string, string>[] = [{}, { origin }, { origin: "http://evil.example" }, { host: "evil.example", origin: "http://evil.example" }, { rsc: "1" }];
      for (const headers of variants) {
        const upgrade = await rawUpgrade(app.url, websocket, headers);
        if (upgrade.status === 101) violations.push(`upgrade ${websocket} ${JSON.stringify(headers)} → 101`);
      }
    }
    expect(violations.slice(0, 30)).toEqual([]);
  });

  it("changed nothing: the same rows in every table, the same bytes in the file, no session made", async () => {
    const after = await snapshot();
    expect(after.rows.sessions ?? []).toEqual([]);
    expect(after).toEqual(before);
    expect(crashLines(app.output())).toEqual([]);
  });
});
