import fs from "node:fs/promises";
import path from "node:path";
import { runGit, type GitResult } from "./run-git";

/** A git failure with git's own words. */
export class GitError extends Error {
  override name = "GitError";
  constructor(
    message: string,
    readonly result?: GitResult,
  ) {
    super(message);
  }
}

export interface GitIdentity {
  name: string;
  email: string;
}

/**
 * The work tree the schedule file lives in, driven through the system `git` (execFile, never a
 * shell). Every call runs with prompts off, so a remote that asks for credentials fails instead
 * of hanging the server.
 */
export interface GitRepo {
  root: string;
  /** The schedule file relative to the root, with `/` separators (for `git show HEAD:<file>`). */
  file: string;
  run(args: readonly string[], opts?: { env?: Record<string, string>; input?: string; timeoutMs?: number }): Promise<GitResult>;
  /** Like run, but a nonzero exit throws GitError. */
  ok(args: readonly string[], opts?: { env?: Record<string, string>; input?: string; timeoutMs?: number }): Promise<string>;
  /** The commit a revision names, or null. */
  revParse(rev: string): Promise<string | null>;
  /** The schedule file's text at a commit, or null when it does not hold the file. */
  fileAt(rev: string): Promise<string | null>;
  isAncestor(ancestor: string, of: string): Promise<boolean>;
}

export function openGitRepo(root: string, file: string, env: Record<string, string | undefined> = process.env): GitRepo {
  const baseEnv = { ...env, GIT_TERMINAL_PROMPT: "0", GIT_ASKPASS: "echo", SSH_ASKPASS: "echo", GIT_SSH_COMMAND: env.GIT_SSH_COMMAND ?? "ssh -o BatchMode=yes" };
  const repo: GitRepo = {
    root,
    file,
    run: (args, opts = {}) => runGit(args, { cwd: root, env: { ...baseEnv, ...opts.env }, input: opts.input, timeoutMs: opts.timeoutMs }),
    async ok(args, opts) {
      const result = await repo.run(args, opts);
      if (result.code !== 0) throw new GitError(`git ${args[0]} failed: ${(result.stderr || result.stdout).trim().split("\n").slice(-3).join(" ")}`, result);
      return result.stdout;
    },
    async revParse(rev) {
      const result = await repo.run(["rev-parse", "--verify", "--quiet", `${rev}^{commit}`]);
      return result.code === 0 ? result.stdout.trim() : null;
    },
    async fileAt(rev) {
      const result = await repo.run(["show", `${rev}:${file}`]);
      return result.code === 0 ? result.stdout : null;
    },
    async isAncestor(ancestor, of) {
      return (await repo.run(["merge-base", "--is-ancestor", ancestor, of])).code === 0;
    },
  };
  return repo;
}

/**
 * Finds the work tree of the schedule file, or clones `remote` into `cloneDir` when the file's
 * folder is not one. Returns the repository and the file's path (inside the clone, `file`).
 */
export async function prepareWorkTree(opts: {
  schedulePath: string;
  remote: string | undefined;
  branch: string | undefined;
  cloneDir: string;
  file: string;
  env?: Record<string, string | undefined>;
}): Promise<{ repo: GitRepo; schedulePath: string; cloned: boolean }> {
  const env = { ...(opts.env ?? process.env), GIT_TERMINAL_PROMPT: "0" };
  const inTree = async (dir: string) => {
    try {
      await fs.mkdir(dir, { recursive: true });
    } catch {
      return null;
    }
    const result = await runGit(["rev-parse", "--show-toplevel"], { cwd: dir, env });
    return result.code === 0 ? result.stdout.trim() : null;
  };
  const relative = (root: string, file: string) => path.relative(root, file).split(path.sep).join("/");

  const existing = await inTree(path.dirname(opts.schedulePath));
  if (existing) {
    const real = await fs.realpath(path.dirname(opts.schedulePath));
    const repo = openGitRepo(existing, relative(existing, path.join(real, path.basename(opts.schedulePath))), opts.env);
    if (opts.remote && (await repo.run(["remote", "get-url", "origin"])).code !== 0) await repo.ok(["remote", "add", "origin", opts.remote]);
    return { repo, schedulePath: opts.schedulePath, cloned: false };
  }
  if (!opts.remote) {
    throw new GitError(`GIT_SYNC=on: ${path.dirname(opts.schedulePath)} is not in a git work tree; clone the repository there, or set GIT_REMOTE to have the server clone it`);
  }
  const cloneRoot = await inTree(opts.cloneDir);
  if (!cloneRoot || path.resolve(cloneRoot) !== path.resolve(await fs.realpath(opts.cloneDir))) {
    await fs.mkdir(path.dirname(opts.cloneDir), { recursive: true });
    const args = ["clone", "--quiet", ...(opts.branch ? ["--branch", opts.branch] : []), "--", opts.remote, opts.cloneDir];
    const result = await runGit(args, { cwd: path.dirname(opts.cloneDir), env });
    if (result.code !== 0) throw new GitError(`cannot clone GIT_REMOTE: ${result.stderr.trim()}`, result);
  }
  const root = await fs.realpath(opts.cloneDir);
  const schedulePath = path.join(root, ...opts.file.split("/"));
  await fs.mkdir(path.dirname(schedulePath), { recursive: true });
  return { repo: openGitRepo(root, relative(root, schedulePath), opts.env), schedulePath, cloned: true };
}
