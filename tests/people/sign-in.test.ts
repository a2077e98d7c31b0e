import fs from "node:fs/promises";
import http from "node:http";
import { io as connectSocket, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppProcess, TEST_TOKEN, type AppProcess } from "../_support/app-process";
import { backup, yamlOf } from "../_support/engine-harness";
import { runCli } from "../cli/_cli";

/**
 * Issue #18 against the real server: people sign in with a password or through a trusted auth
 * proxy, named tokens work until revoked, a viewer's socket hears everything and changes
 * nothing, and every run names who made it. The rate limit is last: it locks this address out.
 */

const PROXY_HEADER = "x-forwarded-email";
const ALICE_PASSWORD = "alice-password-0123";

describe("people on a real server", { timeout: 120_000 }, () => {
  let app: AppProcess;
  let origin: string;
  beforeAll(async () => {
    app = await startAppProcess({
      db: "pglite",
      yaml: yamlOf({ "daily-backup": backup }),
      // A 12 s idle time: open sockets are checked again every 3 s (a quarter of it).
      env: { AUTH_PROXY_HEADER: "X-Forwarded-Email", AUTH_PROXY_TRUSTED: "127.0.0.1", AUTH_PROXY_DEFAULT_ROLE: "viewer", AUTH_FAILURE_LIMIT: "5", SESSION_IDLE_MINUTES: "0.2" },
    });
    origin = new URL(app.url).origin;
  }, 90_000);
  afterAll(async () => {
    await app?.dispose();
  });

  const as = (headers: Record<string, string>) => (pathname: string, init: { method?: string; json?: unknown } = {}) =>
    fetch(`${app.url}${pathname}`, {
      method: init.method ?? (init.json === undefined ? "GET" : "POST"),
      headers: { origin, ...(init.json === undefined ? {} : { "content-type": "application/json" }), ...headers },
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
      redirect: "manual",
    });

  async function passwordLogin(username: string, password: string) {
    return as({})("/api/auth/login", { json: { username, password } });
  }

  it("signs a person in with a password, with their role, and records their changes as theirs", async () => {
    const added = await app.api("/api/users", { method: "POST", json: { username: "Alice", role: "editor", password: ALICE_PASSWORD } });
    expect(added.status).toBe(201);
    expect(await added.json()).toMatchObject({ username: "alice", role: "editor", hasPassword: true });

    const res = await passwordLogin("alice", ALICE_PASSWORD);
    expect(res.status).toBe(200);
    const cookie = res.headers.get("set-cookie")!.split(";")[0]!;
    const alice = as({ cookie });
    expect(await (await alice("/api/auth/me")).json()).toEqual({ role: "editor", name: "alice", kind: "user", via: "password" });
    const patched = await alice("/api/tasks/daily-backup", { method: "PATCH", json: { name: "Backup by Alice" } });
    expect(patched.status).toBe(200);
    // An editor may not force a direction, nor manage people.
    expect((await alice("/api/sync/trigger", { json: { direction: "db_to_yaml" } })).status).toBe(403);
    expect((await alice("/api/users")).status).toBe(403);

    const history = await (await app.api("/api/tasks/daily-backup/history")).json();
    expect(history.items[0].actor).toMatchObject({ kind: "user", name: "alice" });
    const runs = await (await app.api("/api/sync/runs?actor=alice")).json();
    expect(runs.items.length).toBe(1);
    expect(runs.items[0]).toMatchObject({ trigger: "api", actor: { kind: "user", name: "alice" } });
    // The page says who, too.
    const page = await (await alice("/tasks/daily-backup")).text();
    expect(page).toMatch(/last changed .*? by <span data-testid="last-changed-by">alice in the dashboard<\/span>/);

    // A demotion applies to the open session at once; a removal ends it.
    expect((await app.api("/api/users/alice", { method: "PATCH", json: { role: "viewer" } })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // the session cache's second
    expect((await alice("/api/tasks/daily-backup", { method: "PATCH", json: { name: "Again" } })).status).toBe(403);
    expect((await passwordLogin("alice", "wrong-password-1")).status).toBe(401);
  });

  it("takes the auth proxy's header from a trusted address only, creating the person on first sight with the default role", async () => {
    const carol = as({ [PROXY_HEADER]: "Carol@Example.com" });
    expect(await (await carol("/api/auth/me")).json()).toEqual({ role: "viewer", name: "carol@example.com", kind: "user", via: "proxy" });
    const dashboard = await carol("/", {});
    expect(dashboard.status).toBe(200); // pages too, without the login page
    const html = await dashboard.text();
    expect(html).toContain("You have the viewer role");
    expect(html).not.toContain("New task");
    expect(html).not.toContain("Sync now");
    const taskPage = await (await carol("/tasks/daily-backup", {})).text();
    expect(taskPage).toMatch(/<fieldset disabled=""/);
    expect(taskPage).not.toContain("Delete task");
    expect((await carol("/api/tasks/daily-backup", { method: "PATCH", json: { name: "Carol was here" } })).status).toBe(403);
    const users = (await (await app.api("/api/users")).json()).items as { username: string; source: string; role: string }[];
    expect(users.find((u) => u.username === "carol@example.com")).toMatchObject({ source: "proxy", role: "viewer" });

    // The same header from another address (127.0.0.2 is loopback too, but not trusted) names nobody.
    const untrusted = await rawGet("/api/auth/me", { [PROXY_HEADER]: "mallory@example.com", host: new URL(app.url).host }, "127.0.0.2");
    expect(untrusted.status).toBe(401);
    // Nor can a caller forge the front door's stamp.
    const forged = await rawGet("/api/auth/me", { [PROXY_HEADER]: "mallory@example.com", "x-schedule-sync-proxy-attestation": "forged", host: new URL(app.url).host }, "127.0.0.2");
    expect(forged.status).toBe(401);
    const after = (await (await app.api("/api/users")).json()).items as { username: string }[];
    expect(after.map((u) => u.username)).not.toContain("mallory@example.com");
  });

  it("gives a viewer's socket every event and no way to change anything", async () => {
    const viewer: Socket = connectSocket(app.url, { transports: ["websocket"], reconnection: false, extraHeaders: { [PROXY_HEADER]: "carol@example.com", origin } });
    await new Promise<void>((resolve, reject) => {
      viewer.once("connect", () => resolve());
      viewer.once("connect_error", reject);
    });
    const heard = new Promise<{ changedTaskIds: string[] }>((resolve) => viewer.once("schedule_config_updated", resolve));
    const before = await (await app.api("/api/tasks/daily-backup")).json();
    // Whatever a client emits, the server does nothing with it.
    for (const event of ["sync_trigger", "resolve", "schedule_config_updated", "write_task"]) viewer.emit(event, { id: "daily-backup", name: "From a socket" });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await (await app.api("/api/tasks/daily-backup")).json()).toEqual(before);
    expect((await app.api("/api/tasks/daily-backup", { method: "PATCH", json: { schedule: "0 4 * * *" } })).status).toBe(200);
    expect((await heard).changedTaskIds).toEqual(["daily-backup"]);
    viewer.close();
  });

  it("tells the people on a task's page about each other, and names who saved when a save is stale", async () => {
    const open = async (who: string) => {
      const socket: Socket = connectSocket(app.url, { transports: ["websocket"], reconnection: false, extraHeaders: { [PROXY_HEADER]: who, origin } });
      await new Promise<void>((resolve, reject) => {
        socket.once("connect", () => resolve());
        socket.once("connect_error", reject);
      });
      return socket;
    };
    type Update = { page: string; viewers: { socketId: string; name: string }[] };
    const nextPresence = (socket: Socket, where: (u: Update) => boolean) =>
      new Promise<Update>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no presence update")), 5_000);
        const listener = (update: Update) => {
          if (!where(update)) return;
          clearTimeout(timer);
          socket.off("presence", listener);
          resolve(update);
        };
        socket.on("presence", listener);
      });
    const names = (u: Update) => u.viewers.map((v) => v.name).sort();
    const erin = await open("erin@example.com");
    const frank = await open("frank@example.com");
    const erinAlone = nextPresence(erin, (u) => u.viewers.length === 1);
    erin.emit("presence_watch", "task:daily-backup");
    expect(names(await erinAlone)).toEqual(["erin@example.com"]);
    const erinHearsFrank = nextPresence(erin, (u) => u.viewers.length === 2);
    const frankHearsErin = nextPresence(frank, (u) => u.viewers.length === 2);
    frank.emit("presence_watch", "task:daily-backup");
    expect(names(await erinHearsFrank)).toEqual(["erin@example.com", "frank@example.com"]);
    expect((await frankHearsErin).page).toBe("task:daily-backup");
    // A page name that is not a task's or a conflict's joins nothing.
    frank.emit("presence_watch", "../../admin");
    expect(names(await nextPresence(erin, (u) => u.viewers.length === 1))).toEqual(["erin@example.com"]);
    frank.emit("presence_watch", "task:daily-backup");
    await nextPresence(erin, (u) => u.viewers.length === 2);
    const erinAgainAlone = nextPresence(erin, (u) => u.viewers.length === 1);
    frank.close();
    expect(names(await erinAgainAlone)).toEqual(["erin@example.com"]);
    erin.close();

    // A save from an old version is refused, naming who saved the newer one.
    const { version } = await (await app.api("/api/tasks/daily-backup")).json();
    expect((await app.api("/api/tasks/daily-backup", { method: "PATCH", json: { description: "first", version } })).status).toBe(200);
    const stale = await app.api("/api/tasks/daily-backup", { method: "PATCH", json: { description: "second", version } });
    expect(stale.status).toBe(409);
    expect((await stale.json()).error).toMatchObject({ code: "stale_version", details: { savedBy: "admin token", current: { description: "first" } } });
  });

  it("works with a named token until it is revoked, and records its runs by its name", async () => {
    const created = await app.api("/api/tokens", { method: "POST", json: { name: "ci", role: "editor" } });
    expect(created.status).toBe(201);
    const { secret, token } = await created.json();
    expect(token).toMatchObject({ name: "ci", role: "editor", lastUsedAt: null });
    const ci = as({ authorization: `Bearer ${secret}` });
    expect((await ci("/api/sync/trigger", { json: {} })).status).toBe(200);
    expect((await (await app.api("/api/sync/runs?actor=token:ci")).json()).items).toHaveLength(1);
    const listed = (await (await app.api("/api/tokens")).json()).items as { name: string; lastUsedAt: string | null }[];
    expect(listed.find((t) => t.name === "ci")!.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(listed)).not.toContain(secret);
    // A socket on the token lives no longer than the token.
    const socket: Socket = connectSocket(app.url, { transports: ["websocket"], reconnection: false, extraHeaders: { authorization: `Bearer ${secret}`, origin } });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", () => resolve());
      socket.once("connect_error", reject);
    });
    const closed = new Promise<number>((resolve) => {
      const since = Date.now();
      socket.once("disconnect", () => resolve(Date.now() - since));
    });
    expect((await app.api("/api/tokens/ci", { method: "DELETE" })).status).toBe(200);
    expect((await ci("/api/tasks")).status).toBe(401);
    expect(await closed).toBeLessThan(5_000);
  });

  it("names a hand edit of the file as such, and the CLI lists runs, users and tokens", async () => {
    const text = await fs.readFile(app.yamlPath, "utf8");
    await fs.writeFile(app.yamlPath, text.replace(/name: .*/, 'name: "Edited by hand"'));
    let history: { items: { actor: { kind: string } | null; side: string }[] } = { items: [] };
    for (let i = 0; i < 50 && history.items[0]?.actor?.kind !== "file"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      history = await (await app.api("/api/tasks/daily-backup/history")).json();
    }
    expect(history.items[0]).toMatchObject({ side: "db", actor: { kind: "file" } });

    const env = { SCHEDULE_SYNC_URL: app.url, ADMIN_TOKEN: TEST_TOKEN, DATA_DIR: app.dataDir };
    const runs = await runCli(["history", "--limit", "50"], { env });
    expect(runs.code).toBe(0);
    expect(runs.stdout).toContain("hand edit of the file");
    expect(runs.stdout).toContain("alice in the dashboard");
    expect(runs.stdout).toContain("token ci through the API");
    const byFile = await runCli(["history", "--actor", "file"], { env });
    expect(byFile.stdout.trim().split("\n").every((line) => line.includes("hand edit of the file"))).toBe(true);

    const users = await runCli(["users", "list"], { env });
    expect(users.stdout).toMatch(/alice\s+viewer\s+local/);
    expect(users.stdout).toMatch(/carol@example.com\s+viewer\s+proxy/);
    const made = await runCli(["tokens", "create", "deploy", "--role", "viewer", "--expires-days", "7"], { env });
    expect(made.code).toBe(0);
    const secret = made.stdout.trim();
    expect(secret).toMatch(/^ssk_/);
    expect((await as({ authorization: `Bearer ${secret}` })("/api/tasks")).status).toBe(200);
    expect((await runCli(["tokens", "list"], { env })).stdout).toMatch(/deploy\s+viewer\s+ssk_\S+…\s+last used \d{4}-/);
    expect((await runCli(["tokens", "revoke", "deploy"], { env })).code).toBe(0);
    expect((await as({ authorization: `Bearer ${secret}` })("/api/tasks")).status).toBe(401);
    expect((await runCli(["users", "remove", "nobody"], { env })).code).toBe(2);
  });

  it("limits wrong passwords per username across addresses, and per address, and never logs a password or token", async () => {
    await app.api("/api/users", { method: "POST", json: { username: "bob", role: "viewer", password: "bob-password-0123" } });
    // One wrong password from each of five addresses (no address reaches its own limit) ...
    const host = new URL(app.url).host;
    const login = (password: string, address: string) =>
      rawRequest("POST", "/api/auth/login", { host, origin, "content-type": "application/json" }, address, JSON.stringify({ username: "bob", password }));
    for (let i = 3; i <= 7; i++) expect((await login(`guess-${i}-xxxxxxxx`, `127.0.0.${i}`)).status).toBe(401);
    // ... and bob's account waits, from a sixth address, even with the right password.
    expect((await login("bob-password-0123", "127.0.0.8")).status).toBe(429);
    // Another person's sign-in from there is not held up by bob's.
    await app.api("/api/users", { method: "POST", json: { username: "dan", role: "viewer", password: "dan-password-0123" } });
    expect((await rawRequest("POST", "/api/auth/login", { host, origin, "content-type": "application/json" }, "127.0.0.8", JSON.stringify({ username: "dan", password: "dan-password-0123" }))).status).toBe(200);

    // From one address, whatever the usernames, the front door's limit applies.
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const body = JSON.stringify({ username: `nobody-${i}`, password: "guess-xxxxxxxx" });
      statuses.push((await rawRequest("POST", "/api/auth/login", { host, origin, "content-type": "application/json" }, "127.0.0.9", body)).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    expect(app.output()).not.toContain(ALICE_PASSWORD);
    expect(app.output()).not.toContain("bob-password");
    expect(app.output()).not.toContain("ssk_");
  });

  /** A request from another loopback address (Linux answers all of 127.0.0.0/8). */
  function rawRequest(method: string, pathname: string, headers: Record<string, string>, localAddress: string, body?: string): Promise<{ status: number }> {
    const url = new URL(app.url);
    return new Promise((resolve, reject) => {
      const req = http.request({ method, host: "127.0.0.1", port: url.port, path: pathname, headers, localAddress }, (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode! }));
      });
      req.on("error", reject);
      req.end(body);
    });
  }

  const rawGet = (pathname: string, headers: Record<string, string>, localAddress: string) => rawRequest("GET", pathname, headers, localAddress);
});
