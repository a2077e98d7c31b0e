import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach } from "vitest";
import { runGit, type GitResult } from "@/lib/git/run-git";

/** A git environment that ignores the developer's own config and never asks for anything. */
export const GIT_ENV = {
  PATH: process.env.PATH,
  HOME: tmpdir(),
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_TERMINAL_PROMPT: "0",
  GIT_AUTHOR_NAME: "Dev",
  GIT_AUTHOR_EMAIL: "dev@example.test",
  GIT_COMMITTER_NAME: "Dev",
  GIT_COMMITTER_EMAIL: "dev@example.test",
};

/** Runs the real git in `cwd`; resolves with stdout and the exit code (a nonzero code is not an error). */
export function git(cwd: string, args: string[], env: Record<string, string | undefined> = {}): Promise<GitResult> {
  return runGit(args, { cwd, env: { ...GIT_ENV, ...env } });
}

/** Like `git`, but a nonzero exit fails the test with git's own words. */
export async function gitOk(cwd: string, args: string[], env: Record<string, string | undefined> = {}): Promise<string> {
  const result = await git(cwd, args, env);
  if (result.code !== 0) throw new Error(`git ${args.join(" ")} exited ${result.code}: ${result.stderr}${result.stdout}`);
  return result.stdout;
}

/** Real `git merge-file -p` output for three texts (style: merge, diff3 or zdiff3). */
export async function mergeFile(dir: string, base: string, ours: string, theirs: string, style: "merge" | "diff3" | "zdiff3" = "merge"): Promise<string> {
  const files = ["ours.yml", "base.yml", "theirs.yml"].map((name) => path.join(dir, name));
  await Promise.all([writeFile(files[0]!, ours), writeFile(files[1]!, base), writeFile(files[2]!, theirs)]);
  const styleArgs = style === "merge" ? [] : [`--${style}`];
  const result = await git(dir, ["merge-file", "-p", ...styleArgs, "-L", "HEAD", "-L", "base", "-L", "feature", ...files]);
  return result.stdout;
}

/** A fresh temp folder per test, removed afterwards. */
export function useTempDir(prefix = "schedule-git-"): () => Promise<string> {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return async () => {
    const dir = await mkdtemp(path.join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
}
