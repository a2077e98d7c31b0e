import { mkdir, readFile, writeFile } from "node:fs/promises";
import { resetSyncTables } from "../_support/engine-harness";
import path from "node:path";
import { loadConfig } from "@/lib/config/env";
import { createCore, type Core } from "@/lib/core/create-core";
import type { Database } from "@/lib/db/create-database";
import type { GitSync } from "@/lib/git/git-sync";
import { yaml } from "../yaml/_helpers";
import { gitOk } from "./_git";

export const FILE = "config/schedule_config.yml";

export const schedule = yaml`
  # Team schedule, kept in git.
  version: 1
  tasks:
    # Dumps the main database.
    nightly-pg-dump:
      name: Nightly dump
      schedule: "0 2 * * *"
      command: pg_dump app

    weekly-report:
      name: Weekly report
      schedule: "0 9 * * 1"
      command: report.sh
`;

/** The text with a task added after the last one (before the `metadata:` block the server still stamps until #17). */
export function appended(text: string, id: string): string {
  const block = `\n  ${id}:\n    name: ${id}\n    schedule: "0 4 * * *"\n    command: ${id}.sh\n`;
  const meta = text.search(/^metadata:/m);
  return meta === -1 ? text + block : text.slice(0, meta) + block.slice(1) + text.slice(meta);
}

/** A bare repository (the remote) seeded by a developer's clone, which stays around to push more. */
export async function remoteWithDeveloper(dir: string): Promise<{ bare: string; dev: string }> {
  const bare = path.join(dir, "remote.git");
  const dev = path.join(dir, "dev");
  await gitOk(dir, ["init", "--quiet", "--bare", "-b", "main", bare]);
  await gitOk(dir, ["clone", "--quiet", bare, dev]);
  await mkdir(path.join(dev, "config"), { recursive: true });
  await writeFile(path.join(dev, FILE), schedule);
  await writeFile(path.join(dev, "README.md"), "team repo\n");
  await gitOk(dev, ["add", "-A"]);
  await gitOk(dev, ["commit", "-qm", "the schedule"]);
  await gitOk(dev, ["push", "-q", "origin", "main"]);
  return { bare, dev };
}

/** The developer edits the file (from the remote's newest version), commits and pushes. */
export async function developerPushes(dev: string, edit: (text: string) => string, message: string): Promise<void> {
  await gitOk(dev, ["pull", "-q", "--no-rebase", "origin", "main"]);
  const file = path.join(dev, FILE);
  await writeFile(file, edit(await readFile(file, "utf8")));
  await gitOk(dev, ["commit", "-qam", message]);
  await gitOk(dev, ["push", "-q", "origin", "main"]);
}

export interface GitServer {
  core: Core;
  git: GitSync;
  /** The server's work tree. */
  root: string;
  file: string;
}

/** The production core in git mode over the suite's database, cloning `remote` into its DATA_DIR. */
export async function gitServer(dir: string, db: Database, remote: string, env: Record<string, string> = {}, opts: { restart?: boolean } = {}): Promise<GitServer> {
  // A restart keeps the database; a new server starts from an empty one.
  if (!opts.restart) await resetSyncTables(db);
  const config = loadConfig(
    {
      DATA_DIR: path.join(dir, "data"),
      SCHEDULE_CONFIG_PATH: path.join(dir, "not-a-work-tree", "schedule_config.yml"),
      GIT_SYNC: "on",
      GIT_REMOTE: remote,
      GIT_PUSH: "on",
      GIT_FETCH_INTERVAL: "0",
      SYNC_STABLE_MS: "0",
      ...env,
    },
    dir,
  );
  const core = await createCore(config, { db, log: process.env.GIT_TEST_LOG ? (level, message) => console.log(level, message) : () => undefined });
  const git = core.git!;
  git.start();
  await core.sync.startup();
  await git.idle();
  return { core, git, root: path.join(dir, "data", "git"), file: core.config.scheduleConfigPath };
}

/** `git log` of a ref in a repository: "author <email>|subject" lines, newest first. */
export async function log(repo: string, ref = "main", count = 5): Promise<string[]> {
  return (await gitOk(repo, ["log", `-${count}`, "--format=%an <%ae>|%s", ref])).trim().split("\n");
}
