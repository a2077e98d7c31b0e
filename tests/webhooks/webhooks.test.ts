import fs from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppProcess, type AppProcess } from "../_support/app-process";
import { backup, health, yamlOf } from "../_support/engine-harness";
import { waitFor } from "../reliability/_app";
import { SIGNATURE_HEADER, verifySignature } from "@/lib/webhooks/sign-payload";

/**
 * Issue #21, outgoing webhooks, against the real server and a real HTTP receiver on loopback:
 * signatures checked the way a receiver checks them, retries after two 500s, a receiver that
 * hangs holding no sync up, the admin API and its delivery log, Slack's payload, and nothing
 * lost across a server restart (deliveries are stored before they are sent).
 */

const ENV_SECRET = "env-webhook-secret-0123456789";
const UI_SECRET = "ui-webhook-secret-0123456789ab";

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  answered: number;
}

/** A receiver on 127.0.0.1: records every request; `answer` decides the status per request (a `hang` never answers). */
async function startReceiver() {
  const received: Received[] = [];
  let answer: (req: { path: string; count: number }) => number | "hang" = () => 200;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      const path = req.url ?? "/";
      const status = answer({ path, count: received.filter((r) => r.path === path).length });
      received.push({ path, headers: req.headers, body, answered: status === "hang" ? 0 : status });
      if (status !== "hang") res.writeHead(status, { "content-type": "text/plain" }).end(status === 200 ? "thanks" : "not now");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url,
    received,
    setAnswer: (fn: typeof answer) => (answer = fn),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

type Body = { id: string; event: string; occurredAt: string; data: Record<string, unknown> };

describe("outgoing webhooks", { timeout: 180_000 }, () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let app: AppProcess;
  let dir: string;
  const env = () => ({
    WEBHOOKS: JSON.stringify([{ name: "scheduler", url: `${receiver.url}/env`, secret: ENV_SECRET, events: ["schedule.changed", "sync.failed"] }]),
    WEBHOOK_RETRY_BASE_MS: "200",
    WEBHOOK_TIMEOUT_MS: "1500",
  });
  const start = () => startAppProcess({ db: "pglite", dir, yaml: undefined, env: env() });
  const at = (p: string) => receiver.received.filter((r) => r.path === p);
  const bodyOf = (r: Received) => JSON.parse(r.body) as Body;

  beforeAll(async () => {
    receiver = await startReceiver();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "schedule-sync-webhooks-"));
    await fs.mkdir(path.join(dir, "config"), { recursive: true });
    await fs.writeFile(path.join(dir, "config", "schedule_config.yml"), yamlOf({ "daily-backup": backup, "hourly-health": health }));
    app = await start();
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    await receiver?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("delivers schedule.changed, signed with HMAC-SHA256 like GitHub's X-Hub-Signature-256", async () => {
    // The start-up sync imported both tasks: that was a change too.
    const startup = await waitFor(() => at("/env").find((r) => bodyOf(r).data.source === "yaml"), "the start-up sync's delivery");
    expect(bodyOf(startup).data.taskIds).toEqual(["daily-backup", "hourly-health"]);

    expect((await app.api("/api/tasks/daily-backup", { method: "PATCH", json: { schedule: "5 2 * * *" } })).status).toBe(200);
    const hit = await waitFor(() => at("/env").find((r) => bodyOf(r).data.source === "api"), "the edit's delivery");
    expect(verifySignature(ENV_SECRET, hit.body, hit.headers[SIGNATURE_HEADER] as string)).toBe(true);
    expect(verifySignature("another-secret-0123456789", hit.body, hit.headers[SIGNATURE_HEADER] as string)).toBe(false);
    expect(verifySignature(ENV_SECRET, hit.body.replace("daily-backup", "daily-backup "), hit.headers[SIGNATURE_HEADER] as string)).toBe(false);
    const body = bodyOf(hit);
    expect(hit.headers["x-schedule-sync-event"]).toBe("schedule.changed");
    expect(hit.headers["x-schedule-sync-delivery"]).toBe(body.id);
    expect(body).toMatchObject({ event: "schedule.changed", data: { source: "api", taskIds: ["daily-backup"] } });
    expect(body.data.link).toMatch(new RegExp(`^${app.url}/history/[0-9a-f-]{36}$`));
    expect(Date.parse(body.occurredAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it("retries after the receiver answers 500 twice, with the same delivery id and body, and logs each attempt", async () => {
    let refused = 0;
    receiver.setAnswer(({ path }) => (path === "/env" && refused < 2 ? (refused++, 500) : 200));
    const before = at("/env").length;
    expect((await app.api("/api/tasks/hourly-health", { method: "PATCH", json: { name: "Health (retried)" } })).status).toBe(200);
    const attempts = await waitFor(() => {
      const mine = at("/env").slice(before);
      return mine.length >= 3 && mine[2]!.answered === 200 ? mine : null;
    }, "three attempts");
    expect(attempts.map((r) => r.answered)).toEqual([500, 500, 200]);
    expect(new Set(attempts.map((r) => bodyOf(r).id)).size).toBe(1);
    expect(new Set(attempts.map((r) => r.body)).size).toBe(1);
    receiver.setAnswer(() => 200);

    const { items: hooks } = (await (await app.api("/api/webhooks")).json()) as { items: { id: string; source: string; url: string; secret?: string }[] };
    const envHook = hooks.find((h) => h.source === "env")!;
    expect(envHook.url).toBe(`${receiver.url}/env`);
    expect(JSON.stringify(hooks)).not.toContain(ENV_SECRET);
    const log = (await (await app.api(`/api/webhooks/${envHook.id}/deliveries`)).json()) as { items: { id: string; status: string; attempts: number; lastStatus: number; lastResponse: string }[] };
    expect(log.items.find((d) => d.id === bodyOf(attempts[0]!).id)).toMatchObject({ status: "delivered", attempts: 3, lastStatus: 200, lastResponse: "thanks" });
    // WEBHOOKS' own are read-only in the API and the UI.
    expect((await app.api(`/api/webhooks/${envHook.id}`, { method: "PATCH", json: { enabled: false } })).status).toBe(409);

    // The pages as the server renders them: the list, and the webhook's delivery log.
    const list = await (await app.api("/webhooks")).text();
    expect(list).toContain("from WEBHOOKS");
    expect(list).toContain(`${receiver.url}/env`);
    expect(list).not.toContain(ENV_SECRET);
    const page = await app.api(`/webhooks/${envHook.id}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const row = new RegExp(`<tr[^>]*data-delivery="${bodyOf(attempts[0]!).id}"[^>]*>(.*?)</tr>`, "s").exec(html)?.[1] ?? "";
    expect(row).toContain("delivered");
    expect(row).toContain("HTTP <!-- -->200");
    expect(row).toMatch(/>3</);
    expect((await app.api("/webhooks/not-a-uuid")).status).toBe(404);
  });

  it("admin webhooks get conflict.opened and conflict.resolved, in Slack's format when asked; a receiver that hangs holds no sync up", async () => {
    const created = await app.api("/api/webhooks", {
      method: "POST",
      json: { name: "chat", url: `${receiver.url}/slack`, secret: UI_SECRET, events: ["conflict.opened", "conflict.resolved"], format: "slack" },
    });
    expect(created.status).toBe(201);
    const hook = (await created.json()) as { id: string; source: string; secret?: string };
    expect(hook.source).toBe("ui");
    expect(hook).not.toHaveProperty("secret");
    const hanging = await app.api("/api/webhooks", { method: "POST", json: { name: "slow", url: `${receiver.url}/hang`, secret: UI_SECRET, events: ["schedule.changed", "conflict.opened"] } });
    expect(hanging.status).toBe(201);
    receiver.setAnswer(({ path }) => (path === "/hang" ? "hang" : 200));
    expect((await app.api("/api/webhooks", { method: "POST", json: { name: "bad", url: "ftp://example.org", secret: "short", events: [] } })).status).toBe(400);

    // A conflict: the file and the API change the same field before a sync.
    await fs.writeFile(app.yamlPath, yamlOf({ "daily-backup": { ...backup, schedule: "5 2 * * *", name: "Backup (hand)" }, "hourly-health": { ...health, name: "Health (retried)" } }));
    const startedAt = Date.now();
    const clash = await app.api("/api/tasks/daily-backup", { method: "PATCH", json: { name: "Backup (api)" } });
    const elapsed = Date.now() - startedAt;
    expect([200, 202]).toContain(clash.status);
    expect(elapsed).toBeLessThan(1500); // not the hanging receiver's timeout
    const opened = await waitFor(() => at("/slack").find((r) => JSON.parse(r.body).text.includes("conflict opened")), "conflict.opened");
    expect(JSON.parse(opened.body)).toEqual({ text: expect.stringMatching(/^schedule-sync: a conflict opened on task daily-backup \(both_modified; name\)\. <http:\/\/localhost:\d+\/conflicts\/[0-9a-f-]{36}\|open>$/) });
    expect(verifySignature(UI_SECRET, opened.body, opened.headers[SIGNATURE_HEADER] as string)).toBe(true);

    const open = (await (await app.api("/api/sync/conflicts?status=open")).json()) as { items: { id: string }[] };
    expect((await app.api(`/api/sync/conflicts/${open.items[0]!.id}/resolve`, { method: "POST", json: { resolution: "keep_yaml" } })).status).toBe(200);
    const resolved = await waitFor(() => at("/slack").find((r) => JSON.parse(r.body).text.includes("resolved")), "conflict.resolved");
    expect(JSON.parse(resolved.body).text).toContain("task daily-backup was resolved (keep_yaml)");
    // The hanging receiver was tried (and timed out), and its deliveries wait for a retry.
    await waitFor(() => (at("/hang").length > 0 ? true : null), "an attempt at the hanging receiver");
    expect((await app.api(`/api/webhooks/${hook.id}`, { method: "DELETE" })).status).toBe(200);
    expect((await app.api(`/api/webhooks/${((await hanging.json()) as { id: string }).id}`, { method: "DELETE" })).status).toBe(200);
  });

  it("delivers sync.failed when a run fails (an invalid file)", async () => {
    const good = await fs.readFile(app.yamlPath, "utf8");
    await fs.writeFile(app.yamlPath, "version: 1\ntasks:\n  daily-backup: [unclosed\n");
    try {
      expect((await app.api("/api/sync/trigger", { method: "POST", json: {} })).status).toBe(409);
      const failed = await waitFor(() => at("/env").find((r) => bodyOf(r).event === "sync.failed"), "sync.failed");
      // Whichever run read the file first: the watcher's, the convergence loop's or the manual one.
      expect(bodyOf(failed).data).toMatchObject({ trigger: expect.any(String), error: expect.stringContaining("is invalid (line 4") });
      expect(bodyOf(failed).data.link).toMatch(/\/history\/[0-9a-f-]{36}$/);
      expect(verifySignature(ENV_SECRET, failed.body, failed.headers[SIGNATURE_HEADER] as string)).toBe(true);
    } finally {
      await fs.writeFile(app.yamlPath, good);
    }
    const healed = await app.api("/api/sync/trigger", { method: "POST", json: {} });
    expect(healed.status, await healed.text()).toBe(200);
    const edit = await app.api("/api/tasks/daily-backup", { method: "PATCH", json: { enabled: true } });
    expect(edit.status, await edit.text()).toBe(200);
  });

  it("sends one deletions.held for a mass deletion, with every task id", async () => {
    const created = await app.api("/api/webhooks", { method: "POST", json: { name: "guard", url: `${receiver.url}/held`, secret: UI_SECRET, events: ["deletions.held"] } });
    expect(created.status).toBe(201);
    const good = await fs.readFile(app.yamlPath, "utf8");
    const bulk = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`bulk-${i}`, { name: `Bulk ${i}`, schedule: "0 3 * * *", command: `/bin/bulk ${i}` }]));
    const base = { "daily-backup": { ...backup, schedule: "5 2 * * *", name: "Backup (hand)" }, "hourly-health": { ...health, name: "Health (retried)" } };
    await fs.writeFile(app.yamlPath, yamlOf({ ...base, ...bulk }));
    await waitFor(async () => ((await (await app.api("/api/tasks?limit=100")).json()) as { total: number }).total === 18 || null, "the bulk tasks in the DB");
    await fs.writeFile(app.yamlPath, good);
    const held = await waitFor(() => at("/held")[0], "deletions.held");
    const body = bodyOf(held);
    expect(body.event).toBe("deletions.held");
    expect([...(body.data.taskIds as string[])].sort()).toEqual(Object.keys(bulk).sort());
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(at("/held")).toHaveLength(1);
    // Put them back (restore the held deletions), so the next test starts in sync.
    expect((await app.api("/api/sync/held-deletions", { method: "POST", json: { deletedIn: "yaml", action: "apply" } })).status).toBe(200);
    expect((await app.api(`/api/webhooks/${((await created.json()) as { id: string }).id}`, { method: "DELETE" })).status).toBe(200);
  });

  it("loses nothing across a restart: deliveries the receiver refused before are sent after", async () => {
    receiver.setAnswer(({ path }) => (path === "/env" ? 503 : 200));
    const edits = ["1 3 * * *", "2 3 * * *", "3 3 * * *"];
    for (const schedule of edits) expect((await app.api("/api/tasks/daily-backup", { method: "PATCH", json: { schedule } })).status).toBe(200);
    // Each was tried at least once and refused.
    const refusedIds = await waitFor(() => {
      const ids = new Set(at("/env").filter((r) => r.answered === 503).map((r) => bodyOf(r).id));
      return ids.size >= edits.length ? ids : null;
    }, "refused attempts");
    expect(await app.stop()).toBe(0);

    receiver.setAnswer(() => 200);
    app = await start();
    const delivered = await waitFor(() => {
      const ok = new Set(at("/env").filter((r) => r.answered === 200).map((r) => bodyOf(r).id));
      return [...refusedIds].every((id) => ok.has(id)) ? ok : null;
    }, "every refused delivery, after the restart", 30_000);
    expect(delivered.size).toBeGreaterThanOrEqual(refusedIds.size);
    const schedules = at("/env")
      .filter((r) => r.answered === 200 && refusedIds.has(bodyOf(r).id))
      .map((r) => bodyOf(r).data.runId);
    expect(new Set(schedules).size).toBe(edits.length);
  });
});
