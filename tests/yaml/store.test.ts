import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  applySchedulePatch,
  createScheduleStore,
  isScheduleArtifact,
  parseSchedule,
  sha256Checksum,
  tasksChecksum,
  YamlStoreError,
} from "../../lib/yaml";
import { makeTask, useTempDir } from "./_helpers";

const setup = useTempDir();

async function expectStoreError(promise: Promise<unknown>, code: YamlStoreError["code"]): Promise<YamlStoreError> {
  const error = await promise.then(
    () => {
      throw new Error(`expected a YamlStoreError ${code}`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(YamlStoreError);
  expect((error as YamlStoreError).code).toBe(code);
  return error as YamlStoreError;
}

describe("createScheduleStore", () => {
  it("reads a missing file as missing and creates it on the first write, with a header and version 1", async () => {
    const dir = await setup();
    const path = join(dir, "config", "schedule_config.yml");
    const store = createScheduleStore({ path });
    expect(await store.read()).toEqual({ status: "missing" });

    const task = makeTask("daily-backup", { schedule: "0 2 * * *", tags: ["ops", "db"] });
    const result = await store.write({ upsert: [task], metadata: { sync_source: "db" } }, { expectedChecksum: null });
    const text = await readFile(path, "utf8");
    expect(text).toMatch(/^# Scheduled tasks/);
    expect(text).toContain("\nversion: 1\ntasks:\n  daily-backup:\n");
    expect(result.checksum).toBe(sha256Checksum(text));
    expect(result.tasks.get("daily-backup")).toEqual(task);

    const read = await store.read();
    expect(read.status).toBe("ok");
    if (read.status !== "ok") return;
    expect(read.text).toBe(text);
    expect(read.checksum).toBe(result.checksum);
    expect(read.metadata).toMatchObject({ sync_source: "db", checksum: tasksChecksum([task]) });
    // the first write has nothing to back up
    expect(await readdir(join(dir, "config", ".schedule-backups")).catch(() => [])).toEqual([]);
  });

  it("an empty patch on a missing file creates a file with no tasks", async () => {
    const dir = await setup();
    const store = createScheduleStore({ path: join(dir, "s.yml") });
    await store.write({});
    expect(await readFile(join(dir, "s.yml"), "utf8")).toContain("version: 1\ntasks: {}\n");
  });

  it("refuses a stale expectedChecksum and leaves the file alone", async () => {
    const dir = await setup();
    const path = join(dir, "s.yml");
    const store = createScheduleStore({ path });
    const first = await store.write({ upsert: [makeTask("a")] });
    await store.write({ upsert: [makeTask("b")] }, { expectedChecksum: first.checksum });
    const text = await readFile(path, "utf8");

    await expectStoreError(store.write({ upsert: [makeTask("c")] }, { expectedChecksum: first.checksum }), "stale");
    await expectStoreError(store.write({ upsert: [makeTask("c")] }, { expectedChecksum: null }), "stale");
    expect(await readFile(path, "utf8")).toBe(text);
  });

  it("never overwrites an invalid file, and says why with line and column", async () => {
    const dir = await setup();
    const path = join(dir, "s.yml");
    const broken = 'version: 1\ntasks:\n  a:\n    name: A\n    schedule: "99 * * * *"\n    command: x\n';
    await writeFile(path, broken);
    const store = createScheduleStore({ path });

    const read = await store.read();
    expect(read.status).toBe("invalid");
    if (read.status === "invalid") expect(read.issues[0]).toMatchObject({ code: "invalid_task", line: 5, column: 15 });

    const error = await expectStoreError(store.write({ upsert: [makeTask("b")] }), "invalid_file");
    expect(error.issues?.[0]).toMatchObject({ code: "invalid_task", line: 5 });
    expect(error.message).toMatch(/line 5, column 15/);
    await expectStoreError(store.write({ delete: ["a"] }), "invalid_file");
    expect(await readFile(path, "utf8")).toBe(broken);
    expect(await readdir(dir)).toEqual(["s.yml"]);
  });

  it("refuses a file over maxBytes without loading it", async () => {
    const dir = await setup();
    const path = join(dir, "s.yml");
    const big = "version: 1\ntasks: {}\n" + "#".repeat(5000) + "\n";
    await writeFile(path, big);
    const store = createScheduleStore({ path, maxBytes: 1024 });
    const read = await store.read();
    expect(read.status === "invalid" && read.issues[0]).toMatchObject({ code: "too_large", line: 1, column: 1 });
    expect(read.status === "invalid" && read.checksum).toBe(sha256Checksum(big));
    await expectStoreError(store.write({ upsert: [makeTask("a")] }), "invalid_file");
  });

  it("refuses an invalid task in the patch (invalid_result) without touching the file", async () => {
    const dir = await setup();
    const path = join(dir, "s.yml");
    const store = createScheduleStore({ path });
    await store.write({ upsert: [makeTask("a")] });
    const text = await readFile(path, "utf8");
    const bad = { ...makeTask("b"), schedule: "not cron" };
    const error = await expectStoreError(store.write({ upsert: [bad] }), "invalid_result");
    expect(error.issues?.[0]).toMatchObject({ code: "invalid_task", path: ["tasks", "b", "schedule"] });
    await expectStoreError(store.write({ upsert: [{ ...makeTask("a"), id: "Not An Id" }] }), "invalid_result");
    await expectStoreError(store.write({ upsert: [makeTask("a")], delete: ["a"] }), "invalid_result");
    expect(await readFile(path, "utf8")).toBe(text);
  });

  it("ignores fields a task object carries beyond the schema (e.g. a DB row's version)", async () => {
    const dir = await setup();
    const store = createScheduleStore({ path: join(dir, "s.yml") });
    const row = { ...makeTask("a"), version: 3, updatedAt: new Date() };
    const result = await store.write({ upsert: [row] });
    expect(result.tasks.get("a")).toEqual(makeTask("a"));
  });

  it("keeps the last N backups of the previous file, newest equal to the file before the last write", async () => {
    const dir = await setup();
    const path = join(dir, "s.yml");
    const backupDir = join(dir, "backups");
    const store = createScheduleStore({ path, backupDir, keepBackups: 3 });
    let previous = "";
    for (let i = 0; i < 6; i++) {
      previous = await readFile(path, "utf8").catch(() => "");
      await store.write({ upsert: [makeTask(`t${i}`)] });
    }
    const backups = (await readdir(backupDir)).sort();
    expect(backups).toHaveLength(3);
    for (const name of backups) expect(name).toMatch(/^s\.yml\.\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z(\.\d+)?\.bak$/);
    const newest = backups.reduce((a, b) => (a.replace(/\.bak$/, "") < b.replace(/\.bak$/, "") ? b : a));
    expect(await readFile(join(backupDir, newest), "utf8")).toBe(previous);
  });

  it("a patch that changes nothing writes nothing (no new backup, same mtime)", async () => {
    const dir = await setup();
    const path = join(dir, "s.yml");
    const store = createScheduleStore({ path });
    const patch = { upsert: [makeTask("a"), makeTask("b")], metadata: { sync_source: "db" as const } };
    const first = await store.write(patch);
    await store.write(patch); // creates a backup only if it writes
    const { mtimeMs } = await stat(path);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const again = await store.write(patch);
    expect(again.checksum).toBe(first.checksum);
    expect((await stat(path)).mtimeMs).toBe(mtimeMs);
    expect(await readdir(join(dir, ".schedule-backups")).catch(() => [])).toEqual([]);
  });

  it("preserves the file mode", async () => {
    const dir = await setup();
    const path = join(dir, "s.yml");
    await writeFile(path, "version: 1\ntasks: {}\n", { mode: 0o640 });
    const store = createScheduleStore({ path });
    await store.write({ upsert: [makeTask("a")] });
    expect((await stat(path)).mode & 0o777).toBe(0o640);
  });

  it("withLock: re-read and several writes under one lock; not reentrant; unusable after it returns", async () => {
    const dir = await setup();
    const path = join(dir, "s.yml");
    const store = createScheduleStore({ path });
    let escaped: Parameters<Parameters<typeof store.withLock>[0]>[0] | undefined;
    const result = await store.withLock(async (file) => {
      escaped = file;
      expect((await file.read()).status).toBe("missing");
      const first = await file.write({ upsert: [makeTask("a")] });
      const read = await file.read();
      expect(read.status === "ok" && read.checksum).toBe(first.checksum);
      await file.write({ upsert: [makeTask("b")] }, { expectedChecksum: first.checksum });
      await expect(store.write({ upsert: [makeTask("c")] })).rejects.toThrow(/not reentrant/);
      await expect(store.withLock(async () => 1)).rejects.toThrow(/not reentrant/);
      return "done";
    });
    expect(result).toBe("done");
    expect(() => escaped!.write({ upsert: [makeTask("d")] })).toThrow(/released/);
    const read = await store.read();
    expect(read.status === "ok" && read.order).toEqual(["a", "b"]);
    await expect(readdir(`${path}.lock`)).rejects.toThrow(/ENOENT/);
  });

  it("releases the lock when the callback throws", async () => {
    const dir = await setup();
    const path = join(dir, "s.yml");
    const store = createScheduleStore({ path });
    await expect(store.withLock(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await store.write({ upsert: [makeTask("a")] });
  });

  it("many writes from one process at once all land (they queue in-process)", async () => {
    const dir = await setup();
    const path = join(dir, "s.yml");
    const store = createScheduleStore({ path });
    const other = createScheduleStore({ path }); // a second store on the same file, as a route handler might hold
    const ids = Array.from({ length: 30 }, (_, i) => `t${i}`);
    await Promise.all(ids.map((id, i) => (i % 2 ? store : other).write({ upsert: [makeTask(id)] })));
    const read = await store.read();
    expect(read.status === "ok" && [...read.tasks.keys()].sort()).toEqual([...ids].sort());
  });

  it("gives up on a lock held by a live writer after bounded retries (lock_timeout)", async () => {
    const dir = await setup();
    const path = join(dir, "s.yml");
    await writeFile(path, "version: 1\ntasks: {}\n");
    await mkdir(`${path}.lock`); // fresh: another process holds it
    const store = createScheduleStore({ path, lockRetries: 3 });
    const started = Date.now();
    await expectStoreError(store.write({ upsert: [makeTask("a")] }), "lock_timeout");
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("takes over a stale lock", async () => {
    const dir = await setup();
    const path = join(dir, "s.yml");
    await writeFile(path, "version: 1\ntasks: {}\n");
    await mkdir(`${path}.lock`);
    const { utimes } = await import("node:fs/promises");
    const old = new Date(Date.now() - 60_000);
    await utimes(`${path}.lock`, old, old);
    const store = createScheduleStore({ path, lockStaleMs: 2000 });
    await store.write({ upsert: [makeTask("a")] });
    expect((await store.read()).status).toBe("ok");
  });

  it("aborts the rename when the lock is compromised", async () => {
    const dir = await setup();
    const path = join(dir, "s.yml");
    await writeFile(path, "version: 1\ntasks: {}\n");
    const { rm } = await import("node:fs/promises");
    const warnings: string[] = [];
    const store = createScheduleStore({
      path,
      lockStaleMs: 2000,
      logger: { warn: (message) => warnings.push(message) },
      // Someone removes our lock while we write; proper-lockfile notices on its next refresh (~1 s).
      beforeRename: async () => {
        await rm(`${path}.lock`, { recursive: true, force: true });
        await new Promise((resolve) => setTimeout(resolve, 1500));
      },
    });
    await expectStoreError(store.write({ upsert: [makeTask("a")] }), "lock_compromised");
    expect(await readFile(path, "utf8")).toBe("version: 1\ntasks: {}\n");
    expect(warnings.join("\n")).toMatch(/compromised/);
    expect((await readdir(dir)).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });
});

describe("isScheduleArtifact", () => {
  it("matches the store's temp files, lock directory and default backups, not the file itself", () => {
    const file = "/srv/config/schedule_config.yml";
    expect(isScheduleArtifact("/srv/config/.schedule_config.yml.1234.a1b2c3d4e5f6.tmp", file)).toBe(true);
    expect(isScheduleArtifact("/srv/config/schedule_config.yml.lock", file)).toBe(true);
    expect(isScheduleArtifact("/srv/config/.schedule-backups/schedule_config.yml.2026-11-25T11-00-00.000Z.bak", file)).toBe(true);
    expect(isScheduleArtifact(file, file)).toBe(false);
    expect(isScheduleArtifact("/srv/config/other.yml", file)).toBe(false);
  });
});

describe("applySchedulePatch fallback", () => {
  it("uses the Document API for a flow-style tasks map", () => {
    const text = 'version: 1\ntasks: {a: {name: A, schedule: "* * * * *", command: x}}\n';
    const parsed = parseSchedule(text);
    if (!parsed.ok) throw new Error("parse");
    const out = applySchedulePatch({ text, parsed }, { upsert: [makeTask("b")] });
    expect(out.via).toBe("document");
    expect([...out.tasks.keys()]).toEqual(["a", "b"]);
  });
});
