import fs from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppProcess, TEST_TOKEN, type AppProcess } from "../_support/app-process";
import { backup, yamlOf } from "../_support/engine-harness";
import { rawRequest, rawUpgrade, type RawResponse } from "../_support/raw-http";
import { login, within } from "./_session-client";

/**
 * Issue #14, findings 3 and 7 and the redirect half of 4: security headers on every answer,
 * the Host allowlist (DNS rebinding), what /api/health tells strangers, a proxy's Basic
 * credentials beside the session cookie, and where the login link may send the browser.
 */

let app: AppProcess;
let cookie: string;
let port: string;

beforeAll(async () => {
  app = await startAppProcess({ db: "pglite", yaml: yamlOf({ "daily-backup": backup }) });
  port = new URL(app.url).port;
  cookie = await login(app);
}, 120_000);
afterAll(async () => {
  await app?.dispose();
});

function expectSecurityHeaders(res: RawResponse, label: string) {
  expect(res.headers["x-frame-options"], label).toBe("DENY");
  expect(res.headers["x-content-type-options"], label).toBe("nosniff");
  expect(res.headers["referrer-policy"], label).toBe("no-referrer");
  const csp = String(res.headers["content-security-policy"] ?? "");
  expect(csp, label).toContain("frame-ancestors 'none'");
  expect(csp, label).toContain("object-src 'none'");
  expect(csp, label).not.toContain("'unsafe-inline' 'unsafe-eval'");
  expect(csp.match(/script-src[^;]*/)?.[0], label).not.toContain("unsafe-inline");
}

describe("security headers", { timeout: 120_000 }, () => {
  it("are on pages, API answers, static assets, errors, redirects and Socket.IO polling", async () => {
    const loginPage = await rawRequest(app.url, { target: "/login" });
    const asset = /src="(\/_next\/static\/[^"]+\.js)"/.exec(loginPage.body)?.[1];
    expect(asset).toBeTruthy();
    const css = /href="(\/_next\/static\/[^"]+\.css)"/.exec(loginPage.body)?.[1];
    const polling = await rawRequest(app.url, { target: "/socket.io/?EIO=4&transport=polling", headers: { cookie } });
    expect(polling.body).toMatch(/^0\{"sid"/);
    const answers: Record<string, [RawResponse, number]> = {
      "login page": [loginPage, 200],
      dashboard: [await rawRequest(app.url, { target: "/", headers: { cookie } }), 200],
      "task page": [await rawRequest(app.url, { target: "/tasks/daily-backup", headers: { cookie } }), 200],
      "unknown page": [await rawRequest(app.url, { target: "/no/such/page", headers: { cookie } }), 404],
      "redirect to login": [await rawRequest(app.url, { target: "/conflicts" }), 303],
      "API 200": [await rawRequest(app.url, { target: "/api/tasks", headers: { cookie } }), 200],
      "API 401": [await rawRequest(app.url, { target: "/api/tasks" }), 401],
      "API 404": [await rawRequest(app.url, { target: "/api/nope", headers: { cookie } }), 404],
      "API 400": [await rawRequest(app.url, { method: "POST", target: "/api/tasks", headers: { cookie, "content-type": "application/json" }, body: "{" }), 400],
      health: [await rawRequest(app.url, { target: "/api/health" }), 200],
      "static script": [await rawRequest(app.url, { target: asset! }), 200],
      ...(css ? { "static style": [await rawRequest(app.url, { target: css }), 200] as [RawResponse, number] } : {}),
      "missing static file": [await rawRequest(app.url, { target: "/_next/static/chunks/nope.js" }), 404],
      icon: [await rawRequest(app.url, { target: "/icon.svg" }), 200],
      "bad path": [await rawRequest(app.url, { target: "/api/../api/tasks" }), 400],
      "foreign host": [await rawRequest(app.url, { target: "/login", headers: { host: "evil.example" } }), 403],
      "image optimizer": [await rawRequest(app.url, { target: "/_next/image?url=%2Ficon.svg&w=64&q=75" }), 404],
      "socket polling": [polling, 200],
    };
    for (const [label, [res, status]] of Object.entries(answers)) {
      expect(res.status, label).toBe(status);
      expectSecurityHeaders(res, label);
    }
    const refusedUpgrade = await rawUpgrade(app.url, "/socket.io/?EIO=4&transport=websocket");
    expect(refusedUpgrade.status).toBe(401);
    expect(refusedUpgrade.headers["x-frame-options"]).toBe("DENY");
  });

  it("give each page a fresh script nonce that every script of the page carries", async () => {
    const nonces = new Set<string>();
    for (const target of ["/login", "/login"]) {
      const res = await rawRequest(app.url, { target });
      const nonce = /'nonce-([^']+)'/.exec(String(res.headers["content-security-policy"]))?.[1];
      expect(nonce).toBeTruthy();
      nonces.add(nonce!);
      const scripts = [...res.body.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
      expect(scripts.length).toBeGreaterThan(0);
      for (const script of scripts) expect(script).toContain(`nonce="${nonce}"`);
    }
    expect(nonces.size).toBe(2);
    // A nonce sent by the client in a request CSP header is not the one Next uses.
    const planted = await rawRequest(app.url, { target: "/login", headers: { "content-security-policy": "script-src 'nonce-planted'" } });
    expect(planted.body).not.toContain('nonce="planted"');
  });
});

describe("the Host allowlist", { timeout: 120_000 }, () => {
  it("answers to local names and addresses, and refuses any other Host, reads included", async () => {
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `app.localhost:${port}`, "LOCALHOST"]) {
      expect((await rawRequest(app.url, { target: "/api/health", headers: { host } })).status, host).toBe(200);
    }
    for (const host of ["evil.example", `evil.example:${port}`, "localhost.evil.example", "127.0.0.1.nip.io", "[::2]"]) {
      const read = await rawRequest(app.url, { target: "/api/tasks", headers: { host, cookie } });
      expect(read.status, host).toBe(403);
      expect(JSON.parse(read.body).error.code).toBe("forbidden_host");
      const write = await rawRequest(app.url, {
        method: "DELETE",
        target: "/api/tasks/daily-backup",
        headers: { host, origin: `http://${host}`, authorization: `Bearer ${TEST_TOKEN}` },
      });
      expect(write.status, host).toBe(403);
      expect((await rawRequest(app.url, { target: "/socket.io/?EIO=4&transport=polling", headers: { host, origin: `http://${host}`, cookie } })).status).toBe(403);
      expect((await rawUpgrade(app.url, "/socket.io/?EIO=4&transport=websocket", { host, origin: `http://${host}`, cookie })).status).toBe(403);
    }
    expect((await app.api("/api/tasks/daily-backup")).status).toBe(200);
  });

  it("takes PUBLIC_URL's host and ALLOWED_HOSTS; `*` turns it off, with a warning", async () => {
    const extended = await startAppProcess({
      db: "pglite",
      yaml: yamlOf({}),
      env: { PUBLIC_URL: "https://sync.example.org", ALLOWED_HOSTS: "schedule.example.com, *.corp.example" },
    });
    try {
      for (const host of ["sync.example.org", "schedule.example.com:8443", "team.corp.example", "localhost"]) {
        expect((await rawRequest(extended.url, { target: "/api/health", headers: { host } })).status, host).toBe(200);
      }
      for (const host of ["corp.example", "evil.example", "example.org"]) {
        expect((await rawRequest(extended.url, { target: "/api/health", headers: { host } })).status, host).toBe(403);
      }
      // PUBLIC_URL's origin may send mutations (a proxy terminating TLS in front).
      const fromPublic = await rawRequest(extended.url, {
        method: "POST",
        target: "/api/sync/trigger",
        headers: { host: "sync.example.org", origin: "https://sync.example.org", authorization: `Bearer ${TEST_TOKEN}`, "content-type": "application/json" },
        body: "{}",
      });
      expect(fromPublic.status).toBe(200);
      expect(extended.output()).toContain("log in at https://sync.example.org/login");
    } finally {
      await extended.dispose();
    }
    const open = await startAppProcess({ db: "pglite", yaml: yamlOf({}), env: { ALLOWED_HOSTS: "*" } });
    try {
      expect((await rawRequest(open.url, { target: "/api/health", headers: { host: "evil.example" } })).status).toBe(200);
      expect(open.output()).toMatch(/"level":"warn".*ALLOWED_HOSTS=\*/);
    } finally {
      await open.dispose();
    }
  });
});

describe("what the server tells a stranger", { timeout: 120_000 }, () => {
  it("/api/health without credentials: status, database kind and validity only; the error text needs credentials", async () => {
    await fs.writeFile(app.yamlPath, "version: 1\ntasks:\n  daily-backup:\n    name: Backup\n    command: mysqldump -pHunter2Secret\n");
    await within(10_000, async () => (await (await fetch(`${app.url}/api/health`)).json()).yaml.valid === false);
    const stranger = await (await fetch(`${app.url}/api/health`)).json();
    expect(stranger).toEqual({ status: "ok", db: "pglite", yaml: { valid: false } });
    const insider = await (await app.api("/api/health")).json();
    expect(insider.yaml.error).toMatch(/schedule is required.*line \d+, column \d+/);
    const withSession = await (await fetch(`${app.url}/api/health`, { headers: { cookie } })).json();
    expect(withSession.yaml.error).toBeTruthy();
    await fs.writeFile(app.yamlPath, yamlOf({ "daily-backup": backup }));
    await within(10_000, async () => (await (await fetch(`${app.url}/api/health`)).json()).yaml.valid === true);
  });

  it("a proxy's Authorization: Basic beside a valid session cookie does not hide the cookie", async () => {
    const basic = `Basic ${Buffer.from("proxy-user:proxy-password").toString("base64")}`;
    expect((await rawRequest(app.url, { target: "/api/tasks", headers: { cookie, authorization: basic } })).status).toBe(200);
    expect((await rawRequest(app.url, { target: "/", headers: { cookie, authorization: basic } })).status).toBe(200);
    const socket = await rawRequest(app.url, { target: "/socket.io/?EIO=4&transport=polling", headers: { cookie, authorization: basic } });
    expect(socket.body).toMatch(/^0\{"sid"/);
    // Alone, it is no credential at all.
    expect((await rawRequest(app.url, { target: "/api/tasks", headers: { authorization: basic } })).status).toBe(401);
  });
});

describe("the login link's redirect", { timeout: 120_000 }, () => {
  it("stays on this origin however `next` is spelled", async () => {
    const cases: [string, string][] = [
      ["/conflicts?status=open", "/conflicts?status=open"],
      ["/tasks/daily-backup#history", "/tasks/daily-backup#history"],
      ["/%09/evil.example/x", "/"],
      ["/%0a/evil.example/x", "/"],
      ["/%0d%0a/evil.example", "/"],
      ["%09//evil.example", "/"],
      ["/%5Cevil.example", "/"],
      ["/%5C%5Cevil.example", "/"],
      ["/.//evil.example", "/"],
      ["/a/..//evil.example", "/"],
      ["//evil.example/x", "/"],
      ["///evil.example", "/"],
      ["https://evil.example/", "/"],
      ["https:evil.example", "/"],
      ["javascript:alert(1)", "/"],
      ["%5C%5Cevil.example", "/"],
    ];
    for (const [next, expected] of cases) {
      const res = await rawRequest(app.url, { target: `/login?token=${TEST_TOKEN}&next=${next.replace(/[&#]/g, encodeURIComponent)}` });
      expect(res.status, next).toBe(303);
      expect(res.headers.location, next).toBe(expected);
    }
  });
});
