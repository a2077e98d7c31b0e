import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import type { Task } from "../tasks/task-schema";
import type { ScheduleStore } from "../yaml";
import { parseSchedule } from "../yaml/parse/parse-schedule";
import { describeChange } from "./describe-change";
import { GitError, type GitRepo } from "./git-repo";

/** A commit's author; the committer stays the server's configured identity. */
export interface GitAuthor {
  name: string;
  email: string;
}

export interface CommitRecord {
  sha: string;
  subject: string;
  at: string;
}

/**
 * The schedule file against HEAD: what HEAD holds of it (checksum and tasks, learnt once and
 * then kept up to date by every commit and merge made here), and commits of the file alone.
 * Callers serialize (git-sync's queue).
 */
export interface FileCommits {
  /** The work tree's file (null: missing). */
  read(): Promise<string | null>;
  /** The text is the file HEAD holds, as far as this process knows (false before the first commit or merge). */
  isHead(text: string | null): boolean;
  /** Commits the file when it differs from HEAD; the subject names `origin` and what changed. */
  commit(origin: string | (() => string), author: GitAuthor | null): Promise<string | null>;
  /** After commit(): the work tree still holds an edit HEAD does not (one that does not parse yet). */
  holdsUncommittedEdit(): Promise<boolean>;
  /** HEAD moved by a merge, rebase or reset made here: learns its file, and records the commit. */
  headMoved(subject: string): Promise<CommitRecord>;
  /** The newest commit made here. */
  last(): CommitRecord | null;
}

export function createFileCommits(deps: {
  repo: GitRepo;
  /** The committer (and default author) as git's environment variables. */
  identity: Record<string, string>;
  /** The store whose cached parse of the file it just wrote saves a parse of 10,000 tasks per commit. */
  store: ScheduleStore;
  log: (level: "info" | "warn" | "error", message: string) => void;
}): FileCommits {
  const { repo, identity, log } = deps;
  const absolute = path.join(repo.root, ...repo.file.split("/"));
  let headChecksum: string | null | undefined; // undefined: not known yet
  let headTasks: ReadonlyMap<string, Task> | null = null;
  let last: CommitRecord | null = null;

  const read = () => fs.readFile(absolute, "utf8").catch((error: NodeJS.ErrnoException) => (error.code === "ENOENT" ? null : Promise.reject(error)));

  /** The tasks of `text`, from the store when it holds that very version; null when it does not parse. */
  async function tasksOf(text: string): Promise<ReadonlyMap<string, Task> | null> {
    const current = await deps.store.read();
    if (current.status === "ok" && current.text === text) return current.tasks;
    const parsed = parseSchedule(text);
    return parsed.ok ? parsed.tasks : null;
  }

  return {
    read,
    isHead: (text) => headChecksum !== undefined && checksum(text) === headChecksum,
    async commit(origin, author) {
      const text = await read();
      if (text === null) return null; // the server never deletes the file; a missing one is not committed away
      const sum = checksum(text);
      if (headChecksum !== undefined && sum === headChecksum) return null;
      if (headChecksum === undefined || headTasks === null) {
        const before = await repo.fileAt("HEAD");
        headTasks = before === null ? new Map() : await tasksOf(before);
        if (before === text) {
          headChecksum = sum;
          return null;
        }
      }
      const after = await tasksOf(text);
      // A file that does not parse is someone's edit in progress (or an unresolved merge): it is
      // neither committed nor pushed; the next valid version is.
      if (after === null) return null;
      const subject = describeChange(typeof origin === "function" ? origin() : origin, headTasks, after);
      await repo.ok(["add", "--", repo.file]);
      const env = author ? { ...identity, GIT_AUTHOR_NAME: author.name, GIT_AUTHOR_EMAIL: author.email } : identity;
      const result = await repo.run(["commit", "--quiet", "--no-verify", "--no-gpg-sign", "-m", subject, "--", repo.file], { env });
      if (result.code !== 0) {
        // Nothing to commit after all (e.g. only line endings git normalizes): HEAD is what we have.
        if (/nothing (added )?to commit|no changes added/.test(result.stdout + result.stderr)) {
          headChecksum = sum;
          return null;
        }
        throw new GitError(`git commit failed: ${(result.stderr || result.stdout).trim()}`, result);
      }
      headChecksum = sum;
      headTasks = after;
      const sha = (await repo.revParse("HEAD"))!;
      last = { sha, subject, at: new Date().toISOString() };
      log("info", `committed ${sha.slice(0, 8)}: ${subject}`);
      return sha;
    },
    async holdsUncommittedEdit() {
      const current = await read();
      return current !== null && checksum(current) !== headChecksum && (await repo.fileAt("HEAD")) !== current;
    },
    async headMoved(subject) {
      const text = await read();
      headChecksum = checksum(text);
      headTasks = text === null ? new Map() : await tasksOf(text);
      last = { sha: (await repo.revParse("HEAD"))!, subject, at: new Date().toISOString() };
      return last;
    },
    last: () => last,
  };
}

function checksum(text: string | null): string | null {
  return text === null ? null : createHash("sha256").update(text).digest("hex");
}
