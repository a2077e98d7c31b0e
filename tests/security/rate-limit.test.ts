import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppProcess, TEST_TOKEN, type AppProcess } from "../_support/app-process";
import { backup, yamlOf } from "../_support/engine-harness";
import { rawRequest } from "../_support/raw-http";
import { login } from "./_session-client";

/**
 * Issue #14, finding 6: no brute force. Ten failed tokens per client address and minute (the
 * login form, the login link, Bearer tokens on the API, the Socket.IO handshake), then 429 with
 * Retry-After for every token from that address (the right one too), each failure logged as a
 * warning without the token. Other addresses are not affected; sessions from the blocked
 * address keep working. Clients are told apart by the loopback address they connect from
 * (127.0.0.x); X-Forwarded-For counts only from a trusted proxy.
 */

const WRONG = "wrong-token-that-is-long-enough-0001";
const LIMIT = 10;

function loginAttempt(app: AppProcess, from: string, token: string, headers: Record<string, string> = {}) {
  return rawRequest(app.url, {
    method: "POST",
    target: "/api/auth/login",
    headers: { "content-type": "application/json", origin: new URL(app.url).origin, host: new URL(app.url).host, ...headers },
    body: JSON.stringify({ token }),
    localAddress: from,
  });
}

async function expectBlockedAfterLimit(attempt: () => Promise<{ status: number; headers: Record<string, unknown> }>, failure: number) {
  for (let i = 0; i < LIMIT; i++) expect((await attempt()).status, `attempt ${i + 1}`).toBe(failure);
  const blocked = await attempt();
  expect(blocked.status).toBe(429);
  const retryAfter = Number(blocked.headers["retry-after"]);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(60);
}

describe("rate limiting failed tokens", { timeout: 120_000 }, () => {
  let app: AppProcess;
  beforeAll(async () => {
    app = await startAppProcess({ db: "pglite", yaml: yamlOf({ "daily-backup": backup }) });
  }, 120_000);
  afterAll(async () => {
    await app?.dispose();
  });

  it("the login form: 429 with Retry-After after ten failures, for the right token too; another address still logs in", async () => {
    await expectBlockedAfterLimit(() => loginAttempt(app, "127.0.0.2", WRONG), 401);
    expect((await loginAttempt(app, "127.0.0.2", TEST_TOKEN)).status).toBe(429);
    const elsewhere = await loginAttempt(app, "127.0.0.3", TEST_TOKEN);
    expect(elsewhere.status).toBe(200);
    expect(String(elsewhere.headers["set-cookie"])).toContain("schedule_sync_session=");
  });

  it("the login link", async () => {
    const link = () => rawRequest(app.url, { target: `/login?token=${WRONG}`, localAddress: "127.0.0.4" });
    await expectBlockedAfterLimit(link, 303);
    expect((await rawRequest(app.url, { target: `/login?token=${TEST_TOKEN}`, localAddress: "127.0.0.4" })).status).toBe(429);
  });

  it("Bearer tokens on the API; a session from the same address keeps working", async () => {
    const cookie = await login(app);
    const bearer = (token: string) => rawRequest(app.url, { target: "/api/tasks", headers: { authorization: `Bearer ${token}` }, localAddress: "127.0.0.5" });
    await expectBlockedAfterLimit(() => bearer(WRONG), 401);
    expect((await bearer(TEST_TOKEN)).status).toBe(429);
    expect((await rawRequest(app.url, { target: "/api/tasks", headers: { cookie }, localAddress: "127.0.0.5" })).status).toBe(200);
  });

  it("a token on a public path: checked and counted too (/api/health tells the right one more)", async () => {
    const health = (token: string) => rawRequest(app.url, { target: "/api/health", headers: { authorization: `Bearer ${token}` }, localAddress: "127.0.0.11" });
    await expectBlockedAfterLimit(() => health(WRONG), 401);
    expect((await rawRequest(app.url, { target: "/api/health", localAddress: "127.0.0.11" })).status).toBe(200);
  });

  it("the Socket.IO handshake", async () => {
    const handshake = () => rawRequest(app.url, { target: "/socket.io/?EIO=4&transport=polling", headers: { authorization: `Bearer ${WRONG}` }, localAddress: "127.0.0.6" });
    await expectBlockedAfterLimit(handshake, 401);
  });

  it("ignores X-Forwarded-For from a peer that is not a trusted proxy", async () => {
    let n = 0;
    await expectBlockedAfterLimit(() => loginAttempt(app, "127.0.0.7", WRONG, { "x-forwarded-for": `198.51.100.${++n}` }), 401);
  });

  it("logs each failure as a warning with the address, never the token, and stays quiet while it refuses", async () => {
    for (let i = 0; i < 50; i++) await loginAttempt(app, "127.0.0.8", `${WRONG}-${i}`);
    const lines = app.output().split("\n");
    const fromHere = lines.filter((line) => line.includes("127.0.0.8"));
    expect(fromHere.length).toBe(LIMIT);
    expect(fromHere.every((line) => JSON.parse(line).level === "warn")).toBe(true);
    expect(app.output()).not.toContain(WRONG);
  });
});

describe("behind a trusted proxy", { timeout: 120_000 }, () => {
  let app: AppProcess;
  beforeAll(async () => {
    app = await startAppProcess({ db: "pglite", yaml: yamlOf({ "daily-backup": backup }), env: { TRUSTED_PROXIES: "127.0.0.0/8" } });
  }, 120_000);
  afterAll(async () => {
    await app?.dispose();
  });

  it("counts per client named in X-Forwarded-For", async () => {
    const from = (client: string, token: string) => loginAttempt(app, "127.0.0.9", token, { "x-forwarded-for": `${client}, 127.0.0.10` });
    await expectBlockedAfterLimit(() => from("203.0.113.7", WRONG), 401);
    expect((await from("203.0.113.8", TEST_TOKEN)).status).toBe(200);
    expect(app.output()).toContain("wrong admin token from 203.0.113.7");
  });
});
