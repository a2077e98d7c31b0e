import fs from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { io as connectSocket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createAuthenticator } from "@/lib/auth/authenticate";
import { createFailureLimiter } from "@/lib/auth/failure-limiter";
import { isPublicRequest } from "@/lib/auth/request-gate";
import { createSessionStore, credentialFingerprint, type SessionStore } from "@/lib/auth/session-store";
import { loadConfig } from "@/lib/config/env";
import type { Database } from "@/lib/db/create-database";
import { createEventBus } from "@/lib/events/event-bus";
import { createCore } from "@/lib/core/create-core";
import { createHostAllowlist } from "@/lib/http/host-allowlist";
import { createPeopleStore } from "@/lib/people/people-store";
import { createSocketServer } from "@/lib/live/socket-server";
import { createLogger } from "@/lib/log";
import { MIGRATIONS_DIR } from "@/lib/db/migrate";
import { checkReadiness, migrationNames } from "@/lib/ops/readiness";
import { startWebhookDispatcher, type WebhookDispatcher } from "@/lib/webhooks/webhook-dispatcher";
import { createWebhookStore } from "@/lib/webhooks/webhook-store";
import { createFrontDoor } from "@/lib/server/front-door";
import { setServices } from "@/lib/core/services";
import { apiRouteFiles } from "../_support/api-routes";
import { ROOT } from "../_support/app-process";
import { openTestDatabase } from "../_support/databases";
import { backup, yamlOf } from "../_support/engine-harness";

// Route handlers are server-only modules; outside Next's react-server build the marker throws.
vi.mock("server-only", () => ({}));

/**
 * Issue #14, "defence in depth": the front door is the first line, not the only one. Here the
 * route handlers and the Socket.IO server run with no front door at all, the way a request
 * reaches them when something walks around it (Next's image optimizer re-entered the router
 * with no headers of the caller's): each authenticates by itself.
 */

const TOKEN = "defence-in-depth-token-0123456789";
let database: { db: Database; drop(): Promise<void> };
let sessions: SessionStore;
let dir: string;
let dispatcher: WebhookDispatcher | undefined;

beforeAll(async () => {
  database = await openTestDatabase("pglite");
  const { db } = database;
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "schedule-sync-depth-"));
  const yamlPath = path.join(dir, "schedule_config.yml");
  await fs.writeFile(yamlPath, yamlOf({ "daily-backup": backup }));
  const config = loadConfig({ NODE_ENV: "test", ADMIN_TOKEN: TOKEN, DATA_DIR: dir, SCHEDULE_CONFIG_PATH: yamlPath }, dir);
  const core = await createCore(config, { db, log: () => undefined });
  const { storage, store, events, sync } = core;
  await sync.run({ trigger: "startup" });
  sessions = createSessionStore({ db, idleSeconds: 3600, maxSeconds: 86_400, adminTokenFingerprint: credentialFingerprint(TOKEN) });
  const auth = createAuthenticator({ adminToken: TOKEN, sessions });
  const people = createPeopleStore({ db });
  const readiness = () => checkReadiness({ db, expectedMigrations: migrationNames(MIGRATIONS_DIR), file: yamlPath, watcherRunning: () => true });
  const webhooks = createWebhookStore(db);
  dispatcher = startWebhookDispatcher({ store: webhooks, events, observer: core.observer, log: createLogger("silent"), baseUrl: () => "http://localhost" });
  setServices({ config, db, storage, store, events, sync, auth, sessions, people, signInFailures: createFailureLimiter({ limit: 10, windowMs: 60_000 }), nextCronRun: () => null, startedAt: new Date(), ops: { readiness, webhooks, dispatcher } });
}, 60_000);
afterAll(async () => {
  await dispatcher?.close();
  setServices(undefined);
  await database?.drop();
  await fs.rm(dir, { recursive: true, force: true });
});

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

/** Every exported handler of app/api, with a path to call it on. */
async function routeHandlers(): Promise<{ method: string; path: string; handler: Handler }[]> {
  const found: { method: string; path: string; handler: Handler }[] = [];
  for (const { file, path: urlPath } of await apiRouteFiles()) {
    const module = (await import(file)) as Record<string, unknown>;
    for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"]) {
      if (typeof module[method] === "function") found.push({ method, path: urlPath, handler: module[method] as Handler });
    }
  }
  return found;
}

function call(route: { method: string; path: string; handler: Handler }, headers: Record<string, string>) {
  const body = route.method === "GET" ? undefined : JSON.stringify({ name: "Changed", schedule: "0 1 * * *", command: "/bin/true" });
  const req = new Request(`http://localhost${route.path}`, { method: route.method, headers: { host: "localhost", "content-type": "application/json", ...headers }, body });
  const id = route.path.split("/")[route.path.startsWith("/api/sync/") ? 4 : 3] ?? "";
  return route.handler(req, { params: Promise.resolve({ id }) });
}

describe("route handlers without the front door", { timeout: 60_000 }, () => {
  it("refuse a request without credentials, or with wrong ones, on every route but health and login", async () => {
    const routes = await routeHandlers();
    expect(routes.length).toBeGreaterThan(12);
    for (const route of routes) {
      const label = `${route.method} ${route.path}`;
      const anonymous = await call(route, {});
      const wrong = await call(route, { authorization: `Bearer ${TOKEN}x` });
      const madeUp = await call(route, { cookie: "schedule_sync_session=made-up" });
      if (route.path === "/api/health") {
        expect(anonymous.status, label).toBe(200);
        expect(await anonymous.json()).not.toHaveProperty("yaml.error");
      } else if (route.path === "/api/health/live" || route.path === "/api/health/ready") {
        expect(anonymous.status, label).toBe(200);
        expect(JSON.stringify(await anonymous.json()), label).not.toContain("error");
      } else if (route.path === "/api/auth/login") {
        expect(anonymous.status, label).toBe(400); // public: it checks the token in its body
      } else if (route.path.startsWith("/api/auth/oidc/")) {
        expect(anonymous.status, label).toBe(404); // public: OpenID Connect is not configured here
      } else {
        for (const res of [anonymous, wrong, madeUp]) {
          expect(res.status, label).toBe(401);
          expect((await res.json()).error.code, label).toBe("unauthorized");
        }
      }
    }
    // Nothing changed meanwhile.
    const list = await (await call({ method: "GET", path: "/api/tasks", handler: routes.find((r) => r.path === "/api/tasks" && r.method === "GET")!.handler }, { authorization: `Bearer ${TOKEN}` })).json();
    expect(list.items.map((t: { id: string; name: string }) => [t.id, t.name])).toEqual([["daily-backup", backup.name]]);
  });

  it("refuse a mutation from another origin, even with the token, and accept a session", async () => {
    const routes = await routeHandlers();
    const patch = routes.find((r) => r.method === "PATCH")!;
    const crossSite = await call(patch, { authorization: `Bearer ${TOKEN}`, origin: "https://evil.example" });
    expect(crossSite.status).toBe(403);
    expect((await crossSite.json()).error.code).toBe("forbidden_origin");
    const session = await sessions.create({ credential: "admin_token" });
    const get = routes.find((r) => r.method === "GET" && r.path === "/api/tasks/daily-backup")!;
    expect((await call(get, { cookie: `schedule_sync_session=${session.secret}` })).status).toBe(200);
    await sessions.revoke(session.id);
    expect((await call(get, { cookie: `schedule_sync_session=${session.secret}` })).status).toBe(401);
  });
});

describe("every route and page says what it needs", () => {
  it("the routes that declare `public` access are exactly the API paths the front door lets through", async () => {
    const declared: Record<string, string[]> = {};
    for (const { file, route } of await apiRouteFiles()) {
      declared[route] = [...(await fs.readFile(file, "utf8")).matchAll(/withApi(?:<[^>]*>)?\(\{ access: "(\w+)" \}/g)].map((m) => m[1]!);
    }
    for (const [route, access] of Object.entries(declared)) {
      expect(access.length, route).toBeGreaterThan(0);
      expect(access.includes("public"), route).toBe(["GET", "POST"].some((method) => isPublicRequest(route, method)));
    }
  });

  it("every dashboard page and its layout check access themselves", async () => {
    const files: string[] = [];
    const walk = async (folder: string) => {
      for (const entry of await fs.readdir(folder, { withFileTypes: true })) {
        const full = path.join(folder, entry.name);
        if (entry.isDirectory()) await walk(full);
        else if (entry.name === "page.tsx" || entry.name === "layout.tsx") files.push(full);
      }
    };
    await walk(path.join(ROOT, "app/(dashboard)"));
    expect(files.length).toBeGreaterThan(6);
    for (const file of files) expect(await fs.readFile(file, "utf8"), file).toMatch(/export default async function \w+\([^]*?\{\n\s+(?:const \w+ = (?:\w+\()?)?await requirePageAccess\((?:"\w+")?\)\)?;/);
  });
});

describe("the Socket.IO server without the front door", { timeout: 60_000 }, () => {
  let server: http.Server;
  let url: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const auth = createAuthenticator({ adminToken: TOKEN, sessions });
    const unused = () => {
      throw new Error("not used here");
    };
    const door = createFrontDoor({
      dev: false,
      allowedOrigins: [],
      publicUrl: undefined,
      hosts: createHostAllowlist(),
      clientAddress: () => "127.0.0.1",
      auth,
      sessions,
      limiter: createFailureLimiter({ limit: 10, windowMs: 60_000 }),
      log: createLogger("silent"),
      socket: { handleRequest: unused, handleUpgrade: unused },
      next: { handle: unused, upgrade: null },
      shuttingDown: () => false,
    });
    const sockets = createSocketServer(createEventBus(), null, { admit: door.admitSocket, sessions, recheckMs: 200 });
    // The engine straight on a bare HTTP server: no gate in front of it.
    server = http.createServer((req, res) => sockets.engine.handleRequest(req as never, res as never));
    server.on("upgrade", (req, socket, head) => sockets.engine.handleUpgrade(req as never, socket as never, head));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    close = async () => {
      await sockets.close();
      await new Promise((resolve) => server.close(resolve));
    };
  });
  afterAll(async () => {
    await close?.();
  });

  const connect = (extraHeaders: Record<string, string>, transports: ("polling" | "websocket")[] = ["websocket"]) => {
    const socket = connectSocket(url, { transports, reconnection: false, extraHeaders });
    return new Promise<typeof socket>((resolve, reject) => {
      socket.once("connect", () => resolve(socket));
      socket.once("connect_error", (error) => {
        socket.close();
        reject(error);
      });
    });
  };

  it("refuses a handshake without credentials, with wrong ones, or from another Host or origin, on both transports", async () => {
    for (const transports of [["websocket"], ["polling"]] as ("polling" | "websocket")[][]) {
      await expect(connect({}, transports)).rejects.toBeTruthy();
      await expect(connect({ authorization: `Bearer ${TOKEN}x` }, transports)).rejects.toBeTruthy();
      await expect(connect({ cookie: "schedule_sync_session=made-up" }, transports)).rejects.toBeTruthy();
      await expect(connect({ authorization: `Bearer ${TOKEN}`, origin: "http://evil.example" }, transports)).rejects.toBeTruthy();
      // (The polling client cannot set Host: browsers' XHR may not either.)
      if (transports[0] === "websocket") await expect(connect({ authorization: `Bearer ${TOKEN}`, host: "evil.example" }, transports)).rejects.toBeTruthy();
      (await connect({ authorization: `Bearer ${TOKEN}` }, transports)).close();
    }
  });

  it("closes a session's socket when the session ends, here or in the database behind another instance's back", async () => {
    const here = await sessions.create({ credential: "admin_token" });
    const elsewhere = await sessions.create({ credential: "admin_token" });
    const first = await connect({ cookie: `schedule_sync_session=${here.secret}` });
    const second = await connect({ cookie: `schedule_sync_session=${elsewhere.secret}` });
    const closed = (socket: typeof first) => new Promise<string>((resolve) => socket.once("disconnect", (reason) => resolve(reason)));
    const firstClosed = closed(first);
    const secondClosed = closed(second);
    await sessions.revoke(here.id);
    expect(await firstClosed).toBe("io server disconnect");
    await database.db.query(`DELETE FROM sessions WHERE id = $1`, [elsewhere.id]);
    expect(await secondClosed).toBe("io server disconnect");
  });
});
