import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/lib/db/create-database";
import { createWebhookStore, type WebhookStore } from "@/lib/webhooks/webhook-store";
import { DB_KINDS, openTestDatabase } from "../_support/databases";

/** The webhook store on both databases: what the dispatcher relies on (claims leased, retries, give-up, purge, env webhooks). */
describe.each(DB_KINDS)("webhook store on %s", (kind) => {
  let database: { db: Database; drop(): Promise<void> };
  let store: WebhookStore;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
    store = createWebhookStore(database.db);
  }, 60_000);
  afterAll(() => database?.drop());

  it("stores one delivery per enabled webhook that wants the event, and leases a claim", async () => {
    const wants = await store.create({ name: "a", url: "http://127.0.0.1:9/a", secret: "s".repeat(16), events: ["schedule.changed"], format: "standard", enabled: true });
    await store.create({ name: "b", url: "http://127.0.0.1:9/b", secret: "s".repeat(16), events: ["sync.failed"], format: "standard", enabled: true });
    await store.create({ name: "c", url: "http://127.0.0.1:9/c", secret: "s".repeat(16), events: ["schedule.changed"], format: "slack", enabled: false });
    expect(await store.enqueue("schedule.changed", { taskIds: ["x"] })).toBe(1);
    const [claimed, ...rest] = await store.claim(10, 60);
    expect(rest).toEqual([]);
    expect(claimed).toMatchObject({ event: "schedule.changed", payload: { taskIds: ["x"] }, attempts: 0, url: "http://127.0.0.1:9/a", format: "standard" });
    // Leased: not claimed again (by this or another instance) until the lease ends.
    expect(await store.claim(10, 60)).toEqual([]);
    await store.attemptFailed(claimed!.id, { status: 500, error: "answered 500", response: "no" }, 0);
    const [again] = await store.claim(10, 60);
    expect(again).toMatchObject({ id: claimed!.id, attempts: 1 });
    await store.delivered(again!.id, 204, "");
    const [log] = await store.deliveries(wants.id);
    expect(log).toMatchObject({ status: "delivered", attempts: 2, lastStatus: 204, lastError: null });
    expect((await store.list()).find((h) => h.id === wants.id)).toMatchObject({ pending: 0, failed: 0 });
  });

  it("gives a delivery up when told to (no more retries), and purges finished ones past their age", async () => {
    await store.enqueue("sync.failed", { error: "boom" });
    const [claimed] = await store.claim(10, 60);
    await store.attemptFailed(claimed!.id, { status: null, error: "connection refused", response: null }, null);
    expect(await store.claim(10, 60)).toEqual([]);
    const hook = (await store.list()).find((h) => h.name === "b")!;
    expect(hook.failed).toBe(1);
    expect(await store.purge(30)).toBe(0);
    await database.db.query(`UPDATE webhook_deliveries SET created_at = now() - interval '31 days'`);
    expect(await store.purge(30)).toBe(2);
  });

  it("keeps WEBHOOKS' webhooks in step with the variable, under ids that survive a restart", async () => {
    const hook = { url: "http://127.0.0.1:9/env", secret: "e".repeat(16), format: "standard" as const };
    await store.syncEnv([hook]);
    const first = (await store.list()).filter((h) => h.source === "env");
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ name: "127.0.0.1:9", events: ["schedule.changed", "conflict.opened", "conflict.resolved", "sync.failed", "deletions.held"] });
    await store.syncEnv([{ ...hook, events: ["schedule.changed"] }]);
    const second = (await store.list()).filter((h) => h.source === "env");
    expect(second.map((h) => h.id)).toEqual([first[0]!.id]);
    expect(second[0]!.events).toEqual(["schedule.changed"]);
    await store.syncEnv([]);
    expect((await store.list()).filter((h) => h.source === "env")).toEqual([]);
  });
});
