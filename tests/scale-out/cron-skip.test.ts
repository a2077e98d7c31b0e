import fs from "node:fs/promises";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { shortestPeriodMs } from "@/lib/live/cron-safety-net";
import { createEventBus } from "@/lib/events/event-bus";
import { createSyncEngine } from "@/lib/sync/engine/sync-engine";
import { createSqlSyncStorage } from "@/lib/sync/storage/sql-sync-storage";
import { createScheduleStore } from "@/lib/yaml";
import { backup, createHarness, health, useSuiteDatabase, yamlOf, type Harness } from "../_support/engine-harness";

/**
 * "The cron job fires on all, runs on one": a cron-triggered run never queues. It is skipped
 * (not failed, not recorded) when the sync is held in this process, by another instance (the
 * PostgreSQL advisory lock, the file lock) or was just done by another instance's cron; every
 * other trigger waits its turn.
 */
describe("cron runs skip instead of queueing (PostgreSQL)", () => {
  const suite = useSuiteDatabase("postgresql");
  let h: Harness;
  let admin: pg.Client;
  const logs: string[] = [];
  const runs = async (trigger: string) =>
    (await h.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM sync_runs WHERE trigger = $1`, [trigger]))[0]!.n;
  /** A second engine on the same database and file: another instance, as far as the locks can tell. */
  const otherInstance = () =>
    createSyncEngine({ storage: createSqlSyncStorage(h.db), store: createScheduleStore({ path: h.yamlPath }), events: createEventBus(), autoMerge: true, log: (_, m) => logs.push(m) });

  beforeAll(async () => {
    await suite.open();
  });
  afterAll(async () => {
    await admin?.end();
    await suite.drop();
  });
  beforeEach(async () => {
    h = await createHarness(suite.db);
    await h.writeYaml(yamlOf({ "daily-backup": backup, "hourly-health": health }));
    await h.engine.run({ trigger: "manual" });
    await admin?.end();
    admin = new pg.Client({ connectionString: (suite.db.pgPool!.options as { connectionString: string }).connectionString });
    await admin.connect();
    logs.length = 0;
    return () => h.close();
  });

  it("skips at once while another instance holds the advisory lock; a manual run waits for it", async () => {
    await admin.query("SELECT pg_advisory_lock(7262301577)");
    const started = Date.now();
    const cron = await otherInstance().run({ trigger: "cron" });
    expect(cron).toMatchObject({ status: "skipped", runId: null, reason: "another instance is syncing" });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(logs).toContain("cron sync skipped: another instance is syncing");
    expect(await runs("cron")).toBe(0);

    let manualDone = false;
    const manual = otherInstance()
      .run({ trigger: "manual" })
      .finally(() => (manualDone = true));
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(manualDone).toBe(false);
    await admin.query("SELECT pg_advisory_unlock(7262301577)");
    expect((await manual).status).toBe("success");
  });

  it("skips while another process holds the file lock", async () => {
    await fs.mkdir(`${h.yamlPath}.lock`); // a fresh lock directory: someone else is writing
    try {
      expect(await otherInstance().run({ trigger: "cron" })).toMatchObject({ status: "skipped", reason: "the schedule file is locked by another writer" });
    } finally {
      await fs.rm(`${h.yamlPath}.lock`, { recursive: true });
    }
    expect((await otherInstance().run({ trigger: "cron" })).status).toBe("success");
  });

  it("skips while a sync runs in this process", async () => {
    await admin.query("SELECT pg_advisory_lock(7262301577)");
    const manual = h.engine.run({ trigger: "manual" }); // blocked on the advisory lock, holding the mutex
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await h.engine.run({ trigger: "cron" })).toMatchObject({ status: "skipped", reason: "a sync is running in this process" });
    await admin.query("SELECT pg_advisory_unlock(7262301577)");
    expect((await manual).status).toBe("success");
  });

  it("skips a tick another instance's cron already ran, and runs the next one", async () => {
    expect((await h.engine.run({ trigger: "cron", skipIfRanWithinMs: 60_000 })).status).toBe("success");
    expect(await otherInstance().run({ trigger: "cron", skipIfRanWithinMs: 60_000 })).toMatchObject({
      status: "skipped",
      reason: "this tick already ran on another instance",
    });
    expect((await otherInstance().run({ trigger: "cron", skipIfRanWithinMs: 1 })).status).toBe("success");
    expect(await runs("cron")).toBe(2);
  });

  it("an edit still syncs on the next cron run that is not skipped", async () => {
    await h.writeYaml(yamlOf({ "daily-backup": { ...backup, name: "Edited by hand" }, "hourly-health": health }));
    const result = await otherInstance().run({ trigger: "cron" });
    expect(result).toMatchObject({ status: "success", changedTaskIds: ["daily-backup"] });
    expect((await h.dbTasks()).get("daily-backup")?.name).toBe("Edited by hand");
  });
});

describe("shortestPeriodMs", () => {
  it("is the shortest gap between runs of the expression", () => {
    expect(shortestPeriodMs("*/5 * * * *")).toBe(5 * 60_000);
    expect(shortestPeriodMs("*/2 * * * * *")).toBe(2_000);
    expect(shortestPeriodMs("0 9 * * 1-5")).toBe(24 * 3_600_000);
    expect(shortestPeriodMs("not cron")).toBe(0);
  });
});
