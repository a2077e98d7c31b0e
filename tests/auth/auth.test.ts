import { io as connectSocket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiRoutes } from "../_support/api-routes";
import { startAppProcess, TEST_TOKEN, type AppProcess } from "../_support/app-process";

describe("authentication and origin checks", () => {
  let app: AppProcess;
  let routes: { method: string; path: string }[];
  beforeAll(async () => {
    // Wrong tokens on every route here: more than the rate limit allows (tested in tests/security).
    app = await startAppProcess({ db: "pglite", yaml: "version: 1\ntasks: {}\n", env: { AUTH_FAILURE_LIMIT: "1000" } });
    routes = await apiRoutes();
  });
  afterAll(async () => {
    await app?.dispose();
  });

  it("finds the API routes to check", () => {
    expect(routes.length).toBeGreaterThan(12);
  });

  it("answers 401 on every route but health and login without a token", async () => {
    const open = new Set(["/api/health", "/api/health/live", "/api/health/ready", "/api/auth/login", "/api/auth/oidc/start", "/api/auth/oidc/callback"]);
    for (const route of routes) {
      const res = await fetch(`${app.url}${route.path}`, { method: route.method, headers: { origin: new URL(app.url).origin } });
      if (open.has(route.path)) {
        expect(res.status, `${route.method} ${route.path}`).not.toBe(401);
      } else {
        expect(res.status, `${route.method} ${route.path}`).toBe(401);
        expect((await res.json()).error.code).toBe("unauthorized");
      }
    }
  });

  it("answers 401 with a wrong token and with a wrong cookie", async () => {
    for (const route of routes.filter((r) => !r.path.startsWith("/api/health") && r.path !== "/api/auth/login" && !r.path.startsWith("/api/auth/oidc/"))) {
      const bearer = await fetch(`${app.url}${route.path}`, { method: route.method, headers: { authorization: `Bearer ${TEST_TOKEN}x` } });
      expect(bearer.status, `${route.method} ${route.path}`).toBe(401);
    }
    const cookie = await fetch(`${app.url}/api/tasks`, { headers: { cookie: "schedule_sync_session=forged" } });
    expect(cookie.status).toBe(401);
  });

  it("answers 403 to a cross-origin mutation even with a valid token", async () => {
    const res = await fetch(`${app.url}/api/sync/trigger`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_TOKEN}`, origin: "https://evil.example", "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(403);
  });

  it("redirects pages to /login without a session", async () => {
    const res = await fetch(`${app.url}/`, { redirect: "manual" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toMatch(/^\/login/);
    expect((await fetch(`${app.url}/login`)).status).toBe(200);
  });

  it("logs in with the token and sets an httpOnly, SameSite=Strict session cookie", async () => {
    const bad = await fetch(`${app.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: new URL(app.url).origin },
      body: JSON.stringify({ token: "wrong" }),
    });
    expect(bad.status).toBe(401);
    const res = await fetch(`${app.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: new URL(app.url).origin },
      body: JSON.stringify({ token: TEST_TOKEN }),
    });
    expect(res.status).toBe(200);
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toMatch(/Secure/);
    expect(cookie).not.toContain(TEST_TOKEN);
    const session = cookie.split(";")[0];
    expect((await fetch(`${app.url}/api/tasks`, { headers: { cookie: session } })).status).toBe(200);
    expect((await fetch(`${app.url}/`, { headers: { cookie: session }, redirect: "manual" })).status).toBe(200);
  });

  it("marks the cookie Secure behind https", async () => {
    const res = await fetch(`${app.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-proto": "https", origin: `https://${new URL(app.url).host}` },
      body: JSON.stringify({ token: TEST_TOKEN }),
    });
    expect(res.headers.get("set-cookie")).toMatch(/Secure/);
  });

  it("refuses the Socket.IO handshake without the token and accepts it with one", async () => {
    const polling = await fetch(`${app.url}/socket.io/?EIO=4&transport=polling`);
    expect(polling.status).toBe(401);
    const refused = connectSocket(app.url, { transports: ["websocket"], reconnection: false });
    await expect(
      new Promise((resolve, reject) => {
        refused.on("connect", () => resolve("connected"));
        refused.on("connect_error", reject);
      }),
    ).rejects.toBeTruthy();
    refused.close();
    const socket = connectSocket(app.url, { transports: ["websocket"], reconnection: false, extraHeaders: { authorization: `Bearer ${TEST_TOKEN}` } });
    await new Promise<void>((resolve, reject) => {
      socket.on("connect", () => resolve());
      socket.on("connect_error", reject);
    });
    socket.close();
  });

  it("never writes the token to its output", () => {
    expect(app.output()).not.toContain(TEST_TOKEN);
  });
});
