import { spawn, type ChildProcess } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createScheduleStore, parseSchedule } from "../../lib/yaml";
import { makeTask, useTempDir } from "./_helpers";
import { makeTaskForWorker } from "./_worker-task";

const root = join(import.meta.dirname, "..", "..");
const workerScript = join(import.meta.dirname, "_store-worker.ts");
const setup = useTempDir();

function startWorker(args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ["--import", "tsx", workerScript, ...args], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code, signal) => resolve(signal ? null : code)));
  return { child, output: () => output, exited };
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("several processes", () => {
  it("3 processes writing 100 tasks each to one file: every write lands, nothing is left behind", async () => {
    const dir = await setup();
    const path = join(dir, "schedule_config.yml");
    await writeFile(path, "# shared file\nversion: 1\ntasks: {}\n");
    const workers = ["1", "2", "3"].map((id) => startWorker(["write", path, id, "100"]));
    const codes = await Promise.all(workers.map((w) => w.exited));
    for (const [i, code] of codes.entries()) expect(code, workers[i]!.output()).toBe(0);

    const result = parseSchedule(await readFile(path));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.tasks.size).toBe(300);
    for (const worker of ["1", "2", "3"]) {
      for (let i = 0; i < 100; i++) {
        const id = `w${worker}-${i}`;
        expect(result.tasks.get(id)).toEqual(makeTaskForWorker(id));
      }
    }
    expect((await readFile(path, "utf8")).startsWith("# shared file\n")).toBe(true);
    expect((await readdir(dir)).sort()).toEqual([".schedule-backups", "schedule_config.yml"]);
    expect((await readdir(join(dir, ".schedule-backups"))).length).toBeLessThanOrEqual(2);
  }, 60_000);

  it("a writer killed between temp write and rename leaves the old file intact; the next write recovers the lock", async () => {
    const dir = await setup();
    const path = join(dir, "schedule_config.yml");
    const store = createScheduleStore({ path, lockStaleMs: 2000 });
    await store.write({ upsert: [makeTask("existing")] });
    const before = await readFile(path);

    const worker = startWorker(["hang-before-rename", path, "never-written"]);
    await waitFor(() => worker.output().includes("READY "), 20_000, "the worker to write its temp file");
    const tempPath = /READY (\S+)/.exec(worker.output())![1]!;
    expect((await readdir(dir)).sort()).toEqual(
      [".schedule-backups", "schedule_config.yml", "schedule_config.yml.lock", tempPath.split("/").pop()!].sort(),
    );
    worker.child.kill("SIGKILL");
    expect(await worker.exited).toBeNull();

    // The old file is intact and still valid; the temp file is complete but never renamed.
    expect(await readFile(path)).toEqual(before);
    const read = await store.read();
    expect(read.status === "ok" && read.order).toEqual(["existing"]);

    // The lock dir is still there (SIGKILL runs no exit hook) until it goes stale.
    const started = Date.now();
    await store.write({ upsert: [makeTask("after-crash")] });
    expect(Date.now() - started).toBeLessThan(15_000);
    const after = await store.read();
    expect(after.status === "ok" && after.order).toEqual(["existing", "after-crash"]);
    expect((await readdir(dir)).sort()).toEqual([".schedule-backups", "schedule_config.yml"]);
  }, 60_000);
});
