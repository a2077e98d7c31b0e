import { execFileSync } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { statusOf } from "@/lib/api/error-status";
import { isCodedError, type CodedError } from "@/lib/errors";
import { createEventBus } from "@/lib/events/event-bus";
import { createSyncEngine, type SyncEngine } from "@/lib/sync/engine/sync-engine";
import { createSqlSyncStorage } from "@/lib/sync/storage/sql-sync-storage";
import { createScheduleStore, parseSchedule } from "@/lib/yaml";
import { startAppProcess, type AppProcess } from "../_support/app-process";
import { DB_KINDS } from "../_support/databases";
import { backup, health, useSuiteDatabase, yamlOf, resetSyncTables } from "../_support/engine-harness";
import { snapshot, type SyncSnapshot } from "../_support/invariants";
import { handEdit, json, syncNow } from "./_app";
import { convergedInto, counted, scenarioSummaries, type ScenarioRow } from "./_summary";

/**
 * Issue #7, scenario 5: the YAML folder runs out of space, turns read-only, or is replaced
 * by a file. Root ignores permission bits, so a chmod would prove nothing here: the folder is
 * a tiny tmpfs mounted for the test (filled up for "disk full", remounted read-only for
 * "read-only"). Each time the write fails with a clear error naming the cause, the DB rolls
 * back, the file stays byte-for-byte as it was, nothing is left behind, and once the disk is
 * back the next sync completes.
 */

function mount(args: string[]): boolean {
  try {
    execFileSync("mount", args, { stdio: "pipe" });
    return true;
  } catch {
    return false;
  }
}

/** Mounts a tmpfs of `size` on a new temp folder; null when this machine does not allow it. */
async function tinyDisk(size: string): Promise<{ dir: string; readOnly(on: boolean): void; unmount(): Promise<void> } | null> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "schedule-sync-disk-"));
  if (!mount(["-t", "tmpfs", "-o", `size=${size},mode=0755`, "tmpfs", dir])) {
    await fs.rm(dir, { recursive: true, force: true });
    return null;
  }
  return {
    dir,
    readOnly: (on) => {
      if (!mount(["-o", `remount,${on ? "ro" : "rw"}`, dir])) throw new Error(`could not remount ${dir} ${on ? "ro" : "rw"}`);
    },
    unmount: async () => {
      mount(["-o", "remount,rw", dir]);
      execFileSync("umount", ["-l", dir], { stdio: "pipe" });
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/** Fills the file system holding `dir` up to the last block. */
async function fill(dir: string): Promise<string> {
  const filler = path.join(dir, "filler.bin");
  const handle = await fs.open(filler, "w");
  const chunk = Buffer.alloc(4096, 1);
  try {
    for (let i = 0; i < 1_000_000; i++) await handle.write(chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
  } finally {
    await handle.close();
  }
  return filler;
}

const canMount = await (async () => {
  const disk = await tinyDisk("64k");
  await disk?.unmount();
  return disk !== null;
})();

const BIG = { description: "x".repeat(1900) };

describe.skipIf(!canMount).each(DB_KINDS)("storage failures under the sync engine on %s", { timeout: 120_000 }, (kind) => {
  const scenario = scenarioSummaries();
  const suite = useSuiteDatabase(kind);
  let disk: NonNullable<Awaited<ReturnType<typeof tinyDisk>>>;
  let yamlPath: string;
  let backupDir: string;
  let engine: SyncEngine;
  beforeAll(() => suite.open());
  afterAll(() => suite.drop());
  beforeEach(async () => {
    await resetSyncTables(suite.db);
    disk = (await tinyDisk("256k"))!;
    yamlPath = path.join(disk.dir, "schedule_config.yml");
    backupDir = await fs.mkdtemp(path.join(os.tmpdir(), "schedule-sync-backups-"));
    const store = createScheduleStore({ path: yamlPath, backupDir });
    engine = createSyncEngine({ storage: createSqlSyncStorage(suite.db), store, events: createEventBus(), autoMerge: true, log: () => undefined });
    await fs.writeFile(yamlPath, yamlOf({ "daily-backup": backup, "hourly-health": health }));
    await engine.run({ trigger: "manual" });
  });
  afterEach(async () => {
    await engine.idle();
    await disk.unmount();
    await fs.rm(backupDir, { recursive: true, force: true });
  });

  /** A refused operation must change nothing; if it did, that counts as corrupt. */
  function expectUnchanged(row: ScenarioRow, before: SyncSnapshot, during: SyncSnapshot) {
    counted(row, "corrupt", () => {
      expect(during.yamlText).toBe(before.yamlText);
      expect(during.db).toEqual(before.db);
      expect(during.base).toEqual(before.base);
    });
  }

  async function expectRefused(promise: Promise<unknown>, code: string, cause: RegExp) {
    const error = await promise.then(
      () => null,
      (e: unknown) => e,
    );
    expect(isCodedError(error)).toBe(true);
    expect((error as CodedError).code).toBe(code);
    expect(statusOf((error as CodedError).code)).toBe(503);
    expect((error as CodedError).message).toMatch(cause);
  }

  it("disk full: the API write is refused with a clear error, nothing changes anywhere, and it succeeds once space is back", async () => {
    const row = scenario(`${kind}: disk full under the sync engine`);
    await handEdit(yamlPath, "hourly-health", "name", "Edited by hand before the disk filled up");
    const before = await snapshot(suite.db, yamlPath);
    row.injected++;
    const filler = await fill(disk.dir);
    row.ops++;

    await expectRefused(engine.writeTask({ kind: "create", task: { ...backup, ...BIG, id: "new-task", timezone: "UTC", enabled: true, tags: [] } }), "yaml_disk_full", /ENOSPC|no space/i);
    const during = await snapshot(suite.db, yamlPath);
    expectUnchanged(row, before, during);
    counted(row, "corrupt", () => expect(during.leftovers).toEqual([]));
    expect(engine.status().lastError ?? "").not.toMatch(/internal/i);

    await fs.rm(filler);
    const result = await engine.run({ trigger: "manual" });
    expect(result.status).toBe("success");
    await engine.writeTask({ kind: "create", task: { ...backup, ...BIG, id: "new-task", timezone: "UTC", enabled: true, tags: [] } });
    row.ops += 3;
    const after = await convergedInto(row, suite.db, yamlPath);
    counted(row, "lost", () => expect(after.db.get("hourly-health")?.name).toBe("Edited by hand before the disk filled up"));
    counted(row, "lost", () => expect(after.db.has("new-task")).toBe(true));
    row.detail.push("ops = a hand edit, the refused write, a sync and the write once space is back");
    row.complete = true;
  });

  it("read-only folder: writes are refused with a clear error, the file and DB stay as they were, and the next sync after it turns writable completes", async () => {
    const row = scenario(`${kind}: read-only folder under the sync engine`);
    await engine.writeTask({ kind: "patch", id: "daily-backup", patch: (t) => ({ ...t, enabled: false }) });
    await handEdit(yamlPath, "hourly-health", "schedule", "*/30 * * * *");
    const before = await snapshot(suite.db, yamlPath);
    row.injected++;
    disk.readOnly(true);
    row.ops += 4;

    await expectRefused(engine.writeTask({ kind: "patch", id: "daily-backup", patch: (t) => ({ ...t, name: "Renamed" }) }), "yaml_read_only", /EROFS|read-only/i);
    await expectRefused(engine.run({ trigger: "manual" }), "yaml_read_only", /EROFS|read-only/i);
    const during = await snapshot(suite.db, yamlPath);
    expectUnchanged(row, before, during);

    disk.readOnly(false);
    row.ops++;
    expect((await engine.run({ trigger: "manual" })).status).toBe("success");
    const after = await convergedInto(row, suite.db, yamlPath);
    counted(row, "lost", () => expect(after.db.get("hourly-health")?.schedule).toBe("*/30 * * * *"));
    counted(row, "lost", () => expect(after.db.get("daily-backup")).toMatchObject({ enabled: false, name: backup.name }));
    row.detail.push("ops = an API write, a hand edit, a refused write and a refused sync, the sync once writable");
    row.complete = true;
  });

  it("the file's folder replaced by a plain file: a clear error, nothing re-created or deleted, and the next sync after it is back completes", async () => {
    const row = scenario(`${kind}: the file's folder replaced by a plain file`);
    const folder = path.join(disk.dir, "config");
    await fs.mkdir(folder);
    const nested = path.join(folder, "schedule_config.yml");
    await fs.rename(yamlPath, nested);
    const store = createScheduleStore({ path: nested, backupDir });
    const nestedEngine = createSyncEngine({ storage: createSqlSyncStorage(suite.db), store, events: createEventBus(), autoMerge: true, log: () => undefined });
    await nestedEngine.run({ trigger: "manual" });
    const before = await snapshot(suite.db, nested);

    row.injected++;
    await fs.rename(folder, `${folder}.away`);
    await fs.writeFile(folder, "not a folder\n");
    row.ops += 2;
    await expectRefused(nestedEngine.run({ trigger: "manual" }), "yaml_io_error", /ENOTDIR|EEXIST|not a directory/i);
    await expectRefused(nestedEngine.writeTask({ kind: "delete", id: "daily-backup" }), "yaml_io_error", /ENOTDIR|EEXIST|not a directory/i);
    const away = await snapshot(suite.db, `${folder}.away/schedule_config.yml`);
    counted(row, "corrupt", () => expect(away.db).toEqual(before.db));

    await fs.rm(folder);
    await fs.rename(`${folder}.away`, folder);
    row.ops++;
    expect((await nestedEngine.run({ trigger: "manual" })).status).toBe("success");
    await convergedInto(row, suite.db, nested);
    await nestedEngine.idle();
    row.detail.push("ops = a refused sync, a refused delete, the sync once the folder is back");
    row.complete = true;
  });
});

describe.skipIf(!canMount)("storage failures through a real server", { timeout: 120_000 }, () => {
  const scenario = scenarioSummaries();
  let disk: NonNullable<Awaited<ReturnType<typeof tinyDisk>>>;
  let app: AppProcess;
  let yamlPath: string;
  beforeAll(async () => {
    disk = (await tinyDisk("256k"))!;
    yamlPath = path.join(disk.dir, "schedule_config.yml");
    await fs.writeFile(yamlPath, yamlOf({ "daily-backup": backup, "hourly-health": health }));
    // The data folder (file backups) shares the small disk, so a backup write can fail too.
    app = await startAppProcess({ db: "postgresql", env: { SCHEDULE_CONFIG_PATH: yamlPath, DATA_DIR: path.join(disk.dir, "data"), SYNC_WATCH: "off" } });
  }, 180_000);
  afterAll(async () => {
    await app?.stop();
    await disk?.unmount();
  });

  it("answers a full disk and a read-only folder with a 503 that names the cause, shows it in the status, and recovers", async () => {
    const row = scenario("postgresql server: disk full, then a read-only folder");
    const bytes = await fs.readFile(yamlPath);
    row.injected++;
    const filler = await fill(disk.dir);
    row.ops++;
    const full = await app.api("/api/tasks", { method: "POST", json: { ...backup, ...BIG, id: "new-task" } });
    const fullBody = await json<{ error: { code: string; message: string } }>(full);
    expect(full.status).toBe(503);
    expect(fullBody.error.code).toBe("yaml_disk_full");
    expect(fullBody.error.message).toMatch(/no space/i);
    const refusedCreate = (await app.api("/api/tasks/new-task")).status;
    const fileAfter = await fs.readFile(yamlPath);
    counted(row, "corrupt", () => {
      expect(refusedCreate).toBe(404);
      expect(fileAfter).toEqual(bytes);
    });
    await fs.rm(filler);
    const backups = path.join(disk.dir, "data", "backups");
    for (const name of await fs.readdir(backups).catch(() => [])) {
      expect(parseSchedule(await fs.readFile(path.join(backups, name))).ok, `backup ${name} is complete`).toBe(true);
    }

    row.injected++;
    disk.readOnly(true);
    row.ops += 2;
    try {
      const ro = await app.api("/api/tasks/daily-backup", { method: "PATCH", json: { enabled: false } });
      expect(ro.status).toBe(503);
      expect((await json<{ error: { code: string } }>(ro)).error.code).toBe("yaml_read_only");
      const trigger = await app.api("/api/sync/trigger", { method: "POST", json: {} });
      expect(trigger.status).toBe(503);
      const status = await json<{ state: string; lastError: string }>(await app.api("/api/sync/status"));
      expect(status.state).toBe("error");
      expect(status.lastError).toMatch(/read-only/i);
      const enabled = (await json<{ enabled: boolean }>(await app.api("/api/tasks/daily-backup"))).enabled;
      counted(row, "corrupt", () => expect(enabled).toBe(true));
    } finally {
      disk.readOnly(false);
    }
    await syncNow(app);
    row.ops += 3;
    expect((await app.api("/api/tasks/daily-backup", { method: "PATCH", json: { enabled: false } })).status).toBe(200);
    expect((await app.api("/api/tasks", { method: "POST", json: { ...backup, ...BIG, id: "new-task" } })).status).toBe(201);
    const status = await json<{ state: string }>(await app.api("/api/sync/status"));
    expect(status.state).toBe("idle");
    row.detail.push("ops = a refused create, a refused patch and sync, then a sync, the patch and the create once writable; corrupt = a refused write that left a trace");
    row.complete = true;
  });
});
