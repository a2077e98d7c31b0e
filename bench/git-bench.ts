/**
 * `npx tsx bench/git-bench.ts [--tasks=10000] [--edits=20]`: what git mode (GIT_SYNC=on) adds to
 * one API write at 10,000 tasks: the same single-task edits through the production core (PGlite
 * in a temp folder), without git, with a commit per write, and with a commit and a push to a
 * bare repository on disk (file://). Prints medians and p95 in ms.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../lib/config/env";
import { createCore } from "../lib/core/create-core";
import { runGit } from "../lib/git/run-git";
import { sampleSchedule } from "./sample-schedule";
import { stats } from "./stats";

const args = new Map(process.argv.slice(2).map((arg) => arg.replace(/^--/, "").split("=") as [string, string]));
const tasks = Number(args.get("tasks") ?? 10_000);
const edits = Number(args.get("edits") ?? 20);
const env = { ...process.env, GIT_AUTHOR_NAME: "Bench", GIT_AUTHOR_EMAIL: "bench@localhost", GIT_COMMITTER_NAME: "Bench", GIT_COMMITTER_EMAIL: "bench@localhost" };

async function git(cwd: string, ...argv: string[]): Promise<void> {
  const result = await runGit(argv, { cwd, env });
  if (result.code !== 0) throw new Error(`git ${argv.join(" ")}: ${result.stderr}`);
}

async function measure(mode: "off" | "commit" | "commit+push"): Promise<number[]> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "schedule-git-bench-"));
  try {
    const text = sampleSchedule(tasks);
    let extra: Record<string, string> = {};
    let schedulePath = path.join(dir, "plain", "schedule_config.yml");
    if (mode === "off") {
      await fs.mkdir(path.dirname(schedulePath), { recursive: true });
      await fs.writeFile(schedulePath, text);
    } else {
      const bare = path.join(dir, "remote.git");
      const dev = path.join(dir, "dev");
      await git(dir, "init", "-q", "--bare", "-b", "main", bare);
      await git(dir, "clone", "-q", bare, dev);
      await fs.mkdir(path.join(dev, "config"), { recursive: true });
      await fs.writeFile(path.join(dev, "config/schedule_config.yml"), text);
      await git(dev, "add", "-A");
      await git(dev, "commit", "-qm", "seed");
      await git(dev, "push", "-q", "origin", "main");
      schedulePath = path.join(dir, "not-a-tree", "schedule_config.yml");
      extra = { GIT_SYNC: "on", GIT_REMOTE: `file://${bare}`, GIT_PUSH: mode === "commit+push" ? "on" : "off", GIT_FETCH_INTERVAL: "0" };
    }
    const config = loadConfig({ DATA_DIR: path.join(dir, "data"), SCHEDULE_CONFIG_PATH: schedulePath, SYNC_STABLE_MS: "0", YAML_MAX_BYTES: String(64 * 1024 * 1024), ...extra }, dir);
    const core = await createCore(config, { log: () => undefined });
    try {
      core.git?.start();
      await core.sync.startup();
      await core.git?.idle();
      const times: number[] = [];
      for (let i = 0; i < edits; i++) {
        const id = `task-${(i * 37) % tasks}`;
        const started = performance.now();
        await core.sync.writeTask({ kind: "patch", id, patch: (task) => ({ ...task, name: `edit ${i}` }) });
        await core.git?.idle();
        times.push(performance.now() - started);
      }
      return times;
    } finally {
      await core.close();
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

for (const mode of ["off", "commit", "commit+push"] as const) {
  const s = stats(await measure(mode));
  console.log(`${tasks} tasks, API write ${mode === "off" ? "without git" : `with ${mode}`}: median ${s.median.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms (${edits} edits)`);
}
