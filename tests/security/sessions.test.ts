import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppProcess, type AppProcess } from "../_support/app-process";
import { createPostgresDatabase } from "../_support/databases";
import { backup, yamlOf } from "../_support/engine-harness";
import { pgReader } from "../reliability/_app";
import { login, logout, sleep, socketWith, statusWith, within } from "./_session-client";

/**
 * Issue #14, finding 5: sessions end. The cookie carries only a random id; the session is a
 * row in the database (so every instance sharing it agrees), which logout deletes, which idles
 * out and expires, and which a change of ADMIN_TOKEN voids.
 */

describe("sessions on two instances sharing PostgreSQL", { timeout: 120_000 }, () => {
  let database: { url: string; drop(): Promise<void> };
  let dir: string;
  let a: AppProcess;
  let b: AppProcess;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "schedule-sync-sessions-"));
    // A 30 s idle time: open sockets' sessions are checked again every 7.5 s (a quarter of it).
    const shared = { db: "postgresql" as const, dir, databaseUrl: database.url, env: { SESSION_IDLE_MINUTES: "0.5" } };
    a = await startAppProcess({ ...shared, yaml: yamlOf({ "daily-backup": backup }) });
    b = await startAppProcess(shared);
  }, 120_000);
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await fs.rm(dir, { recursive: true, force: true });
    await database?.drop();
  });

  it("gives each login its own random cookie and keeps only a hash of it", async () => {
    const first = await login(a);
    const second = await login(a);
    const secret = first.split("=")[1]!;
    expect(first).not.toBe(second);
    expect(Buffer.from(secret, "base64url").length).toBeGreaterThanOrEqual(16);
    const reader = pgReader(database.url);
    try {
      const rows = await reader.query<Record<string, unknown>>(`SELECT * FROM sessions`);
      expect(rows.length).toBeGreaterThanOrEqual(2);
      expect(JSON.stringify(rows)).not.toContain(secret);
      expect(rows.every((row) => row.credential === "admin_token" && row.user_id === null)).toBe(true);
    } finally {
      await reader.close();
    }
  });

  it("a session made on one instance works on the other", async () => {
    const cookie = await login(a);
    expect(await statusWith(b, cookie)).toBe(200);
    expect(await statusWith(b, cookie, "/")).toBe(200);
  });

  it("logout ends the session: the old cookie is refused on both instances, and its socket is closed", async () => {
    const cookie = await login(a);
    const socket = await socketWith(a, cookie);
    const elsewhere = await socketWith(b, cookie);
    const closed = new Promise<string>((resolve) => socket.once("disconnect", (reason) => resolve(reason)));
    const closedElsewhere = new Promise<string>((resolve) => elsewhere.once("disconnect", (reason) => resolve(reason)));
    expect(await statusWith(a, cookie)).toBe(200);
    expect(await statusWith(b, cookie)).toBe(200); // B has it in its short positive cache now
    expect(await logout(a, cookie)).toBe(200);
    expect(await statusWith(a, cookie)).toBe(401);
    expect(await statusWith(a, cookie, "/")).toBe(303);
    await expect(socketWith(a, cookie)).rejects.toBeTruthy();
    expect(await closed).toBe("io server disconnect");
    // The other instance stops accepting it within a couple of seconds (its cache lives ~1 s).
    expect(await within(2_500, async () => (await statusWith(b, cookie)) === 401)).not.toBeNull();
    await expect(socketWith(b, cookie)).rejects.toBeTruthy();
    // And its socket there is closed at the next check of open sockets' sessions.
    expect(await closedElsewhere).toBe("io server disconnect");
  });

  it("survives a restart with the same token, and ends when ADMIN_TOKEN changes", async () => {
    const cookie = await login(a);
    await b.stop();
    b = await startAppProcess({ db: "postgresql", dir, databaseUrl: database.url, env: { SESSION_IDLE_MINUTES: "0.5" } });
    expect(await statusWith(b, cookie)).toBe(200);
    await b.stop();
    b = await startAppProcess({ db: "postgresql", dir, databaseUrl: database.url, env: { SESSION_IDLE_MINUTES: "0.5", ADMIN_TOKEN: "another-admin-token-0123456789" } });
    expect(await statusWith(b, cookie)).toBe(401);
    expect(await statusWith(b, cookie, "/")).toBe(303);
    // And for good: the instance with the new token removed the old token's sessions.
    const reader = pgReader(database.url);
    try {
      expect(await reader.query(`SELECT id FROM sessions`)).toEqual([]);
    } finally {
      await reader.close();
    }
    expect(await statusWith(b, await login(b, "another-admin-token-0123456789"))).toBe(200);
  });
});

describe("session expiry", { timeout: 120_000 }, () => {
  let app: AppProcess;
  const IDLE_SECONDS = 3;
  const MAX_SECONDS = 8;

  beforeAll(async () => {
    app = await startAppProcess({
      db: "pglite",
      yaml: yamlOf({ "daily-backup": backup }),
      env: { SESSION_IDLE_MINUTES: String(IDLE_SECONDS / 60), SESSION_MAX_DAYS: String(MAX_SECONDS / 86_400) },
    });
  }, 120_000);
  afterAll(async () => {
    await app?.dispose();
  });

  it("a cookie is kept by the browser no longer than the session can live", async () => {
    const res = await fetch(`${app.url}/api/auth/login`, {
      method: "POST",
      headers: { origin: new URL(app.url).origin, "content-type": "application/json" },
      body: JSON.stringify({ token: "test-admin-token-0123456789abcdef" }),
    });
    expect(res.headers.get("set-cookie")).toMatch(/Max-Age=8(;|$)/);
  });

  it("ends after the idle time without use, lives on while used, and ends at the absolute limit anyway", async () => {
    const started = Date.now();
    const used = await login(app);
    const idle = await login(app);
    // Used every second, past the idle time: still valid.
    while (Date.now() - started < (IDLE_SECONDS + 2.5) * 1000) {
      expect(await statusWith(app, used)).toBe(200);
      await sleep(1_000);
    }
    // The one left alone idled out meanwhile (page and API alike).
    expect(await statusWith(app, idle)).toBe(401);
    expect(await statusWith(app, idle, "/")).toBe(303);
    // Still in use, but past the absolute limit: refused.
    const ended = await within((MAX_SECONDS + 4) * 1000 - (Date.now() - started), async () => (await statusWith(app, used)) === 401);
    expect(ended).not.toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(MAX_SECONDS * 1000 - 1_000);
  });
});
