import { spawn } from "node:child_process";
import { appendFile, lstat, mkdir, readdir, readFile, readlink, rename, stat, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { createScheduleStore, parseSchedule, YamlStoreError } from "../../lib/yaml";
import { makeTask, useTempDir } from "./_helpers";

/**
 * Issue #16, findings 3, 6 and 7 at the store: a write replaces only what it read, however
 * another program that takes no lock writes the file meanwhile; a write can be undone while
 * the lock is held; a write through a symlink updates the link's target and keeps the link;
 * a file another program is still writing is left to settle first.
 */

const setup = useTempDir();
const FILE = 'version: 1\ntasks:\n  a:\n    name: A\n    schedule: "0 * * * *"\n    command: a\n';
const withHandEdit = FILE.replace("command: a", "command: a --by-hand");

async function expectStale(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(YamlStoreError);
  expect((error as YamlStoreError).code).toBe("stale");
}

describe("a write replaces only the file it read", () => {
  it("leaves a version written in place by another program between its read and its rename, and says stale", async () => {
    const dir = await setup();
    const path = join(dir, "s.yml");
    await writeFile(path, FILE);
    const store = createScheduleStore({ path, beforeRename: () => writeFile(path, withHandEdit) });
    await expectStale(store.write({ upsert: [makeTask("b")] }));
    expect(await readFile(path, "utf8")).toBe(withHandEdit);
    expect((await readdir(dir)).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });

  it("leaves a version another program renamed over the file, and says stale", async () => {
    const dir = await setup();
    const path = join(dir, "s.yml");
    await writeFile(path, FILE);
    const store = createScheduleStore({
      path,
      beforeRename: async () => {
        await writeFile(join(dir, "editor-save~"), withHandEdit);
        await rename(join(dir, "editor-save~"), path);
      },
    });
    await expectStale(store.write({ upsert: [makeTask("b")] }));
    expect(await readFile(path, "utf8")).toBe(withHandEdit);
  });

  it("loses none of an unlocked script's appends (one every 30 ms) while it writes 200 times beside it", async () => {
    const dir = await setup();
    const path = join(dir, "s.yml");
    await writeFile(path, FILE);
    // A script that keeps appending a numbered comment to the file, taking no lock and reading
    // nothing: it never overwrites anything, so whatever of its lines is missing at the end,
    // a write of the store replaced.
    const script = `
      const fs = require("node:fs");
      const path = process.argv[1];
      let n = 0;
      const stop = Date.now() + 60000;
      while (Date.now() < stop && !fs.readFileSync(path, "utf8").includes("stop-now")) {
        fs.appendFileSync(path, "# appended " + ++n + "\\n");
        const until = Date.now() + 30; while (Date.now() < until) {}
      }
      process.stdout.write(String(n));
    `;
    const child = spawn(process.execPath, ["-e", script, path], { stdio: ["ignore", "pipe", "inherit"] });
    let count = "";
    child.stdout.on("data", (chunk: Buffer) => (count += chunk.toString()));
    const exited = new Promise((resolve) => child.once("exit", resolve));
    const store = createScheduleStore({ path, keepBackups: 0, stableMs: 0 });
    let stale = 0;
    const write = async (id: string) => {
      for (;;) {
        try {
          return await store.write({ upsert: [makeTask(id)] });
        } catch (error) {
          if (!(error instanceof YamlStoreError) || error.code !== "stale") throw error;
          stale++; // the caller's retry: read again, patch again
        }
      }
    };
    for (let i = 0; i < 200; i++) await write(`t-${i}`);
    await write("stop-now");
    await exited;
    const text = await readFile(path, "utf8");
    const parsed = parseSchedule(text);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const missingTasks = Array.from({ length: 200 }, (_, i) => `t-${i}`).filter((id) => !parsed.tasks.has(id));
    const missingLines = Array.from({ length: Number(count) }, (_, i) => i + 1).filter((n) => !text.includes(`# appended ${n}\n`));
    console.log(`[concurrent-writers] 200 store writes beside ${count} unlocked appends; ${stale} found the file changed and read again; lost ${missingTasks.length + missingLines.length}`);
    expect(Number(count)).toBeGreaterThan(10);
    expect(missingTasks).toEqual([]);
    expect(missingLines).toEqual([]);
  }, 120_000);
});

describe("undoing a write", () => {
  it("puts back the file it replaced, or removes the one it created", async () => {
    const dir = await setup();
    const path = join(dir, "s.yml");
    await writeFile(path, FILE);
    const store = createScheduleStore({ path });
    await store.withLock(async (file) => {
      const written = await file.write({ upsert: [makeTask("b")] });
      expect(await readFile(path, "utf8")).toContain("b:");
      expect(await written.revert()).toBe(true);
    });
    expect(await readFile(path, "utf8")).toBe(FILE);
    const read = await store.read();
    expect(read.status === "ok" && [...read.tasks.keys()]).toEqual(["a"]);

    const fresh = join(dir, "new.yml");
    const creating = createScheduleStore({ path: fresh });
    await creating.withLock(async (file) => expect(await (await file.write({ upsert: [makeTask("a")] })).revert()).toBe(true));
    await expect(stat(fresh)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("does not undo over someone else's later version", async () => {
    const dir = await setup();
    const path = join(dir, "s.yml");
    await writeFile(path, FILE);
    const store = createScheduleStore({ path });
    await store.withLock(async (file) => {
      const written = await file.write({ upsert: [makeTask("b")] });
      await writeFile(path, withHandEdit);
      expect(await written.revert()).toBe(false);
    });
    expect(await readFile(path, "utf8")).toBe(withHandEdit);
  });
});

describe("a symlinked schedule file", () => {
  it("is written through: the link stays a link and its target gets the change", async () => {
    const dir = await setup();
    const repo = join(dir, "dotfiles");
    await mkdir(repo);
    const target = join(repo, "schedule.yml");
    await writeFile(target, FILE);
    const path = join(dir, "config", "schedule_config.yml");
    await mkdir(dirname(path));
    await symlink(target, path);
    const store = createScheduleStore({ path });
    await store.write({ upsert: [makeTask("b")] });
    expect((await lstat(path)).isSymbolicLink()).toBe(true);
    expect(await readlink(path)).toBe(target);
    expect(await readFile(target, "utf8")).toContain("\n  b:\n");
    expect((await readdir(repo)).sort()).toEqual(["schedule.yml"]);
  });

  it("follows a ConfigMap-style chain (file -> ..data/file, ..data -> a dated folder)", async () => {
    const dir = await setup();
    const dated = join(dir, "..2026_12_01_10_00_00.1");
    await mkdir(dated);
    await writeFile(join(dated, "schedule_config.yml"), FILE);
    await symlink("..2026_12_01_10_00_00.1", join(dir, "..data"));
    const path = join(dir, "schedule_config.yml");
    await symlink("..data/schedule_config.yml", path);
    const store = createScheduleStore({ path });
    await store.write({ upsert: [makeTask("b")] });
    expect((await lstat(path)).isSymbolicLink()).toBe(true);
    expect((await lstat(join(dir, "..data"))).isSymbolicLink()).toBe(true);
    expect(await readFile(join(dated, "schedule_config.yml"), "utf8")).toContain("\n  b:\n");
  });
});

describe("a file another program is still writing", () => {
  it("is left to settle before a write replaces it, so the write builds on the whole file", async () => {
    const dir = await setup();
    const path = join(dir, "s.yml");
    const whole = `${FILE}  b:\n    name: B\n    schedule: "0 * * * *"\n    command: b\n`;
    const cut = whole.indexOf("name: B") + 3;
    // A slow program writes the file in two halves, 150 ms apart; the store is asked to write in between.
    await writeFile(path, whole.slice(0, cut));
    const secondHalf = new Promise((resolve) => setTimeout(resolve, 150)).then(() => appendFile(path, whole.slice(cut)));
    const store = createScheduleStore({ path, stableMs: 300 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await store.write({ upsert: [makeTask("c")] });
    await secondHalf;
    const parsed = parseSchedule(await readFile(path, "utf8"));
    expect(parsed.ok && [...parsed.tasks.keys()]).toEqual(["a", "b", "c"]);
  });
});
