import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import type { GitConfig } from "../config/env";
import type { EventBus } from "../events/event-bus";
import type { ConflictKind, ConflictWrite } from "../sync/reconcile/plan";
import type { SyncStorage } from "../sync/storage/sync-storage";
import { changedFields, TASK_FIELDS, type Task } from "../tasks/task-schema";
import type { LockedSchedule, ScheduleStore } from "../yaml";
import { parseSchedule } from "../yaml/parse/parse-schedule";
import { applySchedulePatch } from "../yaml/write/apply-schedule-patch";
import { describeActor, type Actor } from "../people/actor";
import { describeChange } from "./describe-change";
import { GitError, type GitRepo } from "./git-repo";
import { mergeSchedules, type MergeConflict } from "./merge-schedules";

/** What git mode needs of the sync engine: a slot between its runs, and a run. */
export interface GitSyncEngine {
  exclusive<T>(work: () => Promise<T>): Promise<T>;
  run(options: { trigger: "git" }): Promise<unknown>;
}

/** A commit's author; the committer stays the server's configured identity. */
export interface GitAuthor {
  name: string;
  email: string;
}

export interface GitSyncDeps {
  repo: GitRepo;
  config: GitConfig;
  /** The file store the engine writes through (its lock serializes git's writes of the file with the engine's). */
  store: ScheduleStore;
  storage: SyncStorage;
  events: EventBus;
  log?: (level: "info" | "warn" | "error", message: string) => void;
  /** Backoff of a failed fetch or push: first delay and cap. Default 1 s and 60 s. */
  retry?: { firstMs: number; maxMs: number };
}

export interface GitOperation {
  at: string;
  error: string | null;
}

export interface GitSyncStatus {
  enabled: true;
  root: string;
  file: string;
  branch: string;
  pushBranch: string | null;
  head: string | null;
  remoteHead: string | null;
  /** Commits on HEAD not on the remote branch, and the other way round (null: no remote). */
  ahead: number | null;
  behind: number | null;
  lastCommit: { sha: string; subject: string; at: string } | null;
  lastFetch: GitOperation | null;
  lastPush: GitOperation | null;
  lastMerge: (GitOperation & { conflicts: number }) | null;
  /** When the next fetch or push retry is due after a failure. */
  retryAt: string | null;
  /** The open conflicts a merge of the remote opened, and whose commit brought them. */
  conflictsFromGit: { taskId: string; author: string; commit: string; subject: string }[];
}

export interface GitSync {
  /** The store to hand the engine: before a server write, hand edits in the work tree are committed as such. */
  store: ScheduleStore;
  /** The engine is created with `store`, so it is handed over afterwards. */
  attach(engine: GitSyncEngine): void;
  /** Hooks the engine's events (commit after every run that changed the file) and starts the fetch timer. */
  start(): void;
  close(): Promise<void>;
  /** Commits the file if it differs from HEAD (the engine's events call this). */
  commit(origin?: string | (() => string), author?: GitAuthor | null): Promise<string | null>;
  /** Fetch; when the remote branch moved, merge per task, apply to the DB, push. */
  pull(reason: "interval" | "webhook" | "manual" | "push_rejected"): Promise<void>;
  push(): Promise<boolean>;
  status(): Promise<GitSyncStatus>;
  /** Resolves when no git work is queued or running. */
  idle(): Promise<void>;
  /** The commit that brought an open conflict of this task, when a merge of the remote opened it. */
  originOf(taskId: string): { author: string; commit: string; subject: string } | null;
}

const SOURCE_PREFIX: Record<string, string> = {
  api: "dashboard",
  db: "dashboard",
  merge: "sync",
  resolve: "resolve conflict",
  revert: "revert",
  yaml: "hand edit",
};

/**
 * Git mode (README "Git mode"): the schedule file's folder is a git work tree. Every write the
 * server makes becomes a commit of that file alone (author: the run's person or named token, else
 * the configured identity, which is always the committer), hand edits found in the work tree are committed first as such;
 * the remote branch is fetched on an interval and on a webhook, and when it moved it is merged
 * per task with mergeSchedules (base = the merge-base's file), conflicts going to the
 * dashboard's conflict list, the result applied to the DB in the same run; then it pushes (never
 * forced), merging and retrying when the push is rejected, retrying with backoff when the remote
 * is unreachable. All git work is serialized here; the file is only touched under the store's
 * lock and between engine runs.
 */
export function createGitSync(deps: GitSyncDeps): GitSync {
  const { repo, config, storage, events } = deps;
  const log = deps.log ?? ((level, message) => console[level](`[git] ${message}`));
  const retry = deps.retry ?? { firstMs: 1000, maxMs: 60_000 };
  const absolute = path.join(repo.root, ...repo.file.split("/"));
  const identity = { GIT_AUTHOR_NAME: config.author.name, GIT_AUTHOR_EMAIL: config.author.email, GIT_COMMITTER_NAME: config.author.name, GIT_COMMITTER_EMAIL: config.author.email };

  let branch = config.branch ?? "";
  let engine: GitSyncEngine | null = null;
  let headChecksum: string | null | undefined; // of the file in HEAD; undefined: not known yet
  let headTasks: ReadonlyMap<string, Task> | null = null; // the tasks of the file in HEAD, once known
  let lastCommit: GitSyncStatus["lastCommit"] = null;
  let lastFetch: GitOperation | null = null;
  let lastPush: GitOperation | null = null;
  let lastMerge: GitSyncStatus["lastMerge"] = null;
  let retryAt: number | null = null;
  let failures = 0;
  let timer: NodeJS.Timeout | null = null;
  let retryTimer: NodeJS.Timeout | null = null;
  let closed = false;
  const conflictOrigins = new Map<string, GitSyncStatus["conflictsFromGit"][number]>();
  const resolutions = new Map<string, string>();
  const unsubscribe: (() => void)[] = [];

  // One chain for every git command that changes the repository.
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = chain.then(work, work);
    chain = next.catch(() => undefined);
    return next;
  };
  // Background work (event commits, timer pulls, pushes) is tracked so idle() and close() can wait.
  const background = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    const tracked = work.catch((error) => log("warn", (error as Error).message)).finally(() => background.delete(tracked));
    background.add(tracked);
  };

  const checksum = (text: string | null) => (text === null ? null : createHash("sha256").update(text).digest("hex"));
  const readFile = () => fs.readFile(absolute, "utf8").catch((error: NodeJS.ErrnoException) => (error.code === "ENOENT" ? null : Promise.reject(error)));
  const upstream = () => `refs/remotes/origin/${branch}`;
  const pushTarget = () => config.pushBranch ?? branch;

  async function ensureBranch(): Promise<void> {
    if (branch) return;
    const result = await repo.run(["symbolic-ref", "--short", "HEAD"]);
    branch = result.code === 0 ? result.stdout.trim() : "main";
  }

  let markerPath: string | null = null;
  const mergeMarker = async () => (markerPath ??= path.join((await repo.ok(["rev-parse", "--absolute-git-dir"])).trim(), "schedule-sync-merge"));

  /**
   * A merge the server began and never committed (the process stopped in between) leaves the
   * work tree merging, and every later commit would fail. Only a merge the server marked as its
   * own is aborted: someone else's merge in a shared work tree is theirs to finish. Inside `serial`.
   */
  async function abortInterruptedMerge(): Promise<void> {
    const marker = await mergeMarker();
    const remote = await fs.readFile(marker, "utf8").catch(() => null);
    if (remote === null) return;
    if ((await repo.run(["rev-parse", "-q", "--verify", "MERGE_HEAD"])).stdout.trim()) {
      await repo.ok(["merge", "--abort"]);
      log("warn", `aborted a merge of ${remote.trim()} the server began before it stopped; the next fetch merges again`);
    }
    await fs.rm(marker, { force: true });
  }

  /** Commits the file when it differs from HEAD; inside `serial`. */
  async function commitLocked(origin: string | (() => string), author: GitAuthor | null = null): Promise<string | null> {
    await ensureBranch();
    const text = await readFile();
    if (text === null) return null; // the server never deletes the file; a missing one is not committed away
    const sum = checksum(text);
    if (headChecksum !== undefined && sum === headChecksum) return null;
    if (headChecksum === undefined || headTasks === null) {
      const before = await repo.fileAt("HEAD");
      headTasks = before === null ? new Map() : tasksOf(before);
      if (before === text) {
        headChecksum = sum;
        return null;
      }
    }
    // The store's own parse of what it just wrote (cached), not a parse of 10,000 tasks per commit.
    const after = await currentTasks(text);
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
    lastCommit = { sha, subject, at: new Date().toISOString() };
    log("info", `committed ${sha.slice(0, 8)}: ${subject}`);
    return sha;
  }

  function commit(origin: string | (() => string) = "dashboard", author: GitAuthor | null = null): Promise<string | null> {
    return serial(async () => {
      const sha = await commitLocked(origin, author);
      if (sha && config.push) track(push());
      return sha;
    });
  }

  /** The engine's store, with hand edits committed before each write that would fold them into a server commit. */
  const store: ScheduleStore = {
    path: deps.store.path,
    read: () => deps.store.read(),
    withLock: (fn, opts) =>
      deps.store.withLock(
        (file) =>
          fn({
            read: () => file.read(),
            write: async (patch, writeOpts) => {
              await commitHandEdits();
              return file.write(patch, writeOpts);
            },
          } satisfies LockedSchedule),
        opts,
      ),
    write(patch, opts) {
      return store.withLock((file) => file.write(patch, opts));
    },
  };

  /** The tasks of `text`, from the store when it holds that very version (its parse is cached). */
  async function currentTasks(text: string): Promise<ReadonlyMap<string, Task> | null> {
    const read = await deps.store.read();
    if (read.status === "ok" && read.text === text) return read.tasks;
    return tasksOf(text);
  }

  function tasksOf(text: string): ReadonlyMap<string, Task> | null {
    const parsed = parseSchedule(text);
    return parsed.ok ? parsed.tasks : null;
  }

  async function commitHandEdits(): Promise<void> {
    const text = await readFile();
    if (text === null || (headChecksum !== undefined && checksum(text) === headChecksum)) return;
    await serial(() => commitLocked("hand edit"));
  }

  function backoff(): number {
    failures++;
    const delay = Math.min(retry.maxMs, retry.firstMs * 2 ** (failures - 1));
    retryAt = Date.now() + delay;
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = setTimeout(() => {
      retryTimer = null;
      retryAt = null;
      if (!closed) track(pull("interval").then(() => (config.push ? push() : undefined)));
    }, delay);
    retryTimer.unref();
    return delay;
  }

  function healed(): void {
    failures = 0;
    retryAt = null;
  }

  let pulling: Promise<void> | null = null;
  let pullAgain = false;
  function pull(reason: Parameters<GitSync["pull"]>[0]): Promise<void> {
    if (pulling) {
      pullAgain = true;
      return pulling;
    }
    pulling = (async () => {
      try {
        do {
          pullAgain = false;
          await pullOnce(reason);
        } while (pullAgain && !closed);
      } finally {
        pulling = null;
      }
    })();
    return pulling;
  }

  async function pullOnce(reason: string): Promise<void> {
    await ensureBranch();
    if ((await repo.run(["remote", "get-url", "origin"])).code !== 0) return;
    const fetched = await repo.run(["fetch", "--quiet", "--no-tags", "origin", `+refs/heads/${branch}:${upstream()}`], { timeoutMs: 60_000 });
    lastFetch = { at: new Date().toISOString(), error: fetched.code === 0 ? null : fetched.stderr.trim() || `git fetch exited ${fetched.code}` };
    if (fetched.code !== 0) {
      const delay = backoff();
      log("warn", `fetch (${reason}) failed, retrying in ${Math.round(delay / 1000)} s: ${lastFetch.error}`);
      return;
    }
    healed();
    const remote = await repo.revParse(upstream());
    if (!remote) return;
    const head = await repo.revParse("HEAD");
    if (head && (head === remote || (await repo.isAncestor(remote, head)))) return;
    if (!engine) throw new Error("git sync is not attached to an engine");
    const merged = await engine.exclusive(() => deps.store.withLock(() => serial(() => mergeRemote(remote))));
    if (!merged) return;
    await engine.run({ trigger: "git" });
    // The merge commit goes back up (a rejected push is already retrying: it called this pull).
    if (config.push && reason !== "push_rejected") track(push());
  }

  /** Merges the fetched remote into HEAD; under the engine's slot, the file lock and `serial`. True when HEAD moved. */
  async function mergeRemote(remote: string): Promise<boolean> {
    await commitLocked("hand edit");
    const current = await readFile();
    if (current !== null && checksum(current) !== headChecksum && (await repo.fileAt("HEAD")) !== current) {
      lastMerge = { at: new Date().toISOString(), error: `not merging origin/${branch}: the schedule file holds an edit that does not parse yet; the merge waits until it is fixed`, conflicts: 0 };
      log("warn", lastMerge.error!);
      return false;
    }
    const head = await repo.revParse("HEAD");
    if (!head) {
      await repo.ok(["reset", "--quiet", "--hard", remote]);
      return finishMerge("fast-forward", 0);
    }
    if (await repo.isAncestor(head, remote)) {
      await repo.ok(["merge", "--quiet", "--ff-only", remote]);
      return finishMerge("fast-forward", 0);
    }
    if (config.pull === "rebase") {
      const rebased = await rebaseOnto(head, remote);
      if (rebased !== null) return rebased;
    }
    const mergeBase = (await repo.run(["merge-base", head, remote])).stdout.trim() || null;
    const [base, ours, theirs] = await Promise.all([mergeBase ? repo.fileAt(mergeBase) : null, repo.fileAt(head), repo.fileAt(remote)]);
    const [author, remoteSha, remoteSubject] = (await repo.ok(["log", "-1", "--format=%an%x00%H%x00%s", remote, "--", repo.file])).trim().split("\0");

    let text: string | null = theirs;
    let conflicts: Extract<MergeConflict, { part: "task" }>[] = [];
    if (ours !== null && theirs !== null) {
      const outcome = mergeSchedules(base, ours, theirs, { labels: { ours: "HEAD", base: "merge-base", theirs: `origin/${branch}` } });
      if (!outcome.ok) {
        lastMerge = { at: new Date().toISOString(), error: `cannot merge origin/${branch} per task: ${outcome.side === "theirs" ? "the remote's" : "the local"} file is not valid (${outcome.issues[0]?.message ?? ""})`, conflicts: 0 };
        log("warn", lastMerge.error!);
        return false;
      }
      conflicts = outcome.conflicts.filter((c): c is Extract<MergeConflict, { part: "task" }> => c.part === "task");
      text = conflicts.length > 0 ? withTheirs(outcome.resolved, conflicts) : outcome.resolved;
    } else if (theirs === null) text = ours;

    // A real merge commit (other files merge as git merges them); the schedule file is ours to write.
    // Git keeps our version of the schedule file while it merges (a merge driver that does
    // nothing), so no conflict markers ever land in the file the watcher and the engine read.
    const keep = await keepOursConfig();
    // Marks the merge as the server's: a start after a crash between here and the commit aborts it.
    await fs.writeFile(await mergeMarker(), remote);
    const started = await repo.run([...keep, "merge", "--quiet", "--no-ff", "--no-commit", "--no-verify", remote], { env: identity });
    const unmerged = (await repo.ok(["diff", "--name-only", "--diff-filter=U"])).split("\n").filter((name) => name && name !== repo.file);
    if (unmerged.length > 0 || (started.code !== 0 && !(await repo.run(["rev-parse", "-q", "--verify", "MERGE_HEAD"])).stdout.trim())) {
      await repo.run(["merge", "--abort"]);
      await fs.rm(await mergeMarker(), { force: true });
      lastMerge = { at: new Date().toISOString(), error: `merging origin/${branch} conflicts outside the schedule file (${unmerged.join(", ") || started.stderr.trim()}); merge it by hand`, conflicts: 0 };
      log("warn", lastMerge.error!);
      return false;
    }
    if (text !== null) await writeAtomically(text);
    await repo.ok(["add", "--", repo.file]);
    const subject = `merge origin/${branch} per task${conflicts.length > 0 ? `; ${conflicts.length} in conflict: ${conflicts.map((c) => c.id).join(", ")}` : ""}`;
    await repo.ok(["commit", "--quiet", "--no-verify", "--no-gpg-sign", "-m", subject], { env: identity });
    await fs.rm(await mergeMarker(), { force: true });

    if (conflicts.length > 0) await recordConflicts(conflicts, { author: author ?? "", commit: remoteSha ?? remote, subject: remoteSubject ?? "" });
    return finishMerge(subject, conflicts.length);
  }

  /**
   * GIT_PULL=rebase: replays each local commit (the server's own, touching only the schedule
   * file) on top of the remote, merging per task at every step (base = the commit's parent,
   * ours = the new tip, theirs = the commit), keeping each commit's author and message; a
   * same-field clash keeps the remote's value in the file and opens a dashboard conflict.
   * Returns null (merge instead) when a local commit is a merge or touches other files.
   */
  async function rebaseOnto(head: string, remote: string): Promise<boolean | null> {
    const local = (await repo.ok(["rev-list", "--reverse", "--parents", `${remote}..${head}`])).trim().split("\n").filter(Boolean);
    for (const line of local) {
      const [sha, ...parents] = line.split(" ");
      if (parents.length !== 1) return (log("warn", `rebase: ${sha} is a merge`), null);
      const files = (await repo.ok(["diff-tree", "--no-commit-id", "--name-only", "-r", sha!])).trim().split("\n").filter(Boolean);
      if (files.some((file) => file !== repo.file)) return (log("warn", `rebase: ${sha} touches ${files.join(",")}`), null);
    }
    const gitDir = path.resolve(repo.root, (await repo.ok(["rev-parse", "--git-dir"])).trim());
    const index = { GIT_INDEX_FILE: path.join(gitDir, "schedule-sync-rebase-index") };
    let tip = remote;
    let tipText = await repo.fileAt(remote);
    const conflicts = new Map<string, Extract<MergeConflict, { part: "task" }>>();
    for (const line of local) {
      const sha = line.split(" ")[0]!;
      const [base, mine] = await Promise.all([repo.fileAt(`${sha}^`), repo.fileAt(sha)]);
      let text = mine;
      if (tipText !== null && mine !== null) {
        const outcome = mergeSchedules(base, tipText, mine, { labels: { ours: `origin/${branch}`, base: "base", theirs: sha.slice(0, 10) } });
        if (!outcome.ok) return (log("warn", `rebase: merge refused`), null);
        for (const c of outcome.conflicts) if (c.part === "task") conflicts.set(c.id, c);
        text = outcome.resolved;
      }
      if (text === null) return null;
      const blob = (await repo.ok(["hash-object", "-w", "--stdin"], { input: text })).trim();
      await repo.ok(["read-tree", tip], { env: index });
      await repo.ok(["update-index", "--add", "--cacheinfo", `100644,${blob},${repo.file}`], { env: index });
      const tree = (await repo.ok(["write-tree"], { env: index })).trim();
      const [name, email, date, message] = (await repo.ok(["log", "-1", "--format=%an%x00%ae%x00%aI%x00%B", sha])).split("\0");
      const author = { GIT_AUTHOR_NAME: name!, GIT_AUTHOR_EMAIL: email!, GIT_AUTHOR_DATE: date! };
      tip = (await repo.ok(["commit-tree", tree, "-p", tip, "-m", message!.trim()], { env: { ...identity, ...author } })).trim();
      tipText = text;
    }
    await fs.rm(index.GIT_INDEX_FILE, { force: true });
    await repo.ok(["reset", "--quiet", "--keep", tip]);
    const found = [...conflicts.values()];
    if (found.length > 0) {
      const [author, remoteSha, subject] = (await repo.ok(["log", "-1", "--format=%an%x00%H%x00%s", remote, "--", repo.file])).trim().split("\0");
      await recordConflicts(found, { author: author ?? "", commit: remoteSha ?? remote, subject: subject ?? "" }, "ours");
    }
    return finishMerge(`rebased ${local.length} local commit${local.length === 1 ? "" : "s"} onto origin/${branch} per task${found.length > 0 ? `; ${found.length} in conflict: ${found.map((c) => c.id).join(", ")}` : ""}`, found.length);
  }

  async function keepOursConfig(): Promise<string[]> {
    const attr = (await repo.run(["check-attr", "merge", "--", repo.file])).stdout.trim();
    const value = /: merge: (.+)$/.exec(attr)?.[1];
    if (value && !["unspecified", "set", "unset"].includes(value)) return ["-c", `merge.${value}.driver=true`];
    const gitDir = path.resolve(repo.root, (await repo.ok(["rev-parse", "--git-dir"])).trim());
    const attributes = path.join(gitDir, "schedule-sync-merge-attributes");
    await fs.writeFile(attributes, `/${repo.file} merge=schedule-sync-keep\n`).catch(() => undefined);
    return ["-c", `core.attributesFile=${attributes}`, "-c", "merge.schedule-sync-keep.driver=true"];
  }

  async function finishMerge(subject: string, conflicts: number): Promise<true> {
    const text = await readFile();
    headChecksum = checksum(text);
    headTasks = text === null ? new Map() : await currentTasks(text);
    const sha = (await repo.revParse("HEAD"))!;
    lastCommit = { sha, subject, at: new Date().toISOString() };
    lastMerge = { at: lastCommit.at, error: null, conflicts };
    log("info", `${subject} (${sha.slice(0, 8)})`);
    return true;
  }

  /** The merged text with each conflicting task as the remote has it: the DB keeps ours, so the sync sees both. */
  function withTheirs(resolved: string, conflicts: Extract<MergeConflict, { part: "task" }>[]): string {
    const parsed = parseSchedule(resolved);
    if (!parsed.ok) return resolved;
    const upsert = conflicts.flatMap((c) => (c.theirs ? [c.theirs] : []));
    const remove = conflicts.filter((c) => !c.theirs).map((c) => c.id);
    return applySchedulePatch({ text: resolved, parsed }, { upsert, delete: remove }).text;
  }

  /** Opens a dashboard conflict per task: YAML side = the remote's version, DB side = ours. */
  async function recordConflicts(
    conflicts: Extract<MergeConflict, { part: "task" }>[],
    origin: { author: string; commit: string; subject: string },
    remoteSide: "ours" | "theirs" = "theirs",
  ): Promise<void> {
    const same = (kind: ConflictKind) => kind;
    const swap = (kind: ConflictKind): ConflictKind => (kind === "modify_delete" ? "delete_modify" : kind === "delete_modify" ? "modify_delete" : kind);
    // The dashboard's YAML side is the remote's version (the file holds it), its DB side ours.
    const flip = remoteSide === "theirs" ? swap : same;
    const records = await storage.transaction(async (tx) => {
      const rows = await tx.loadTasks(conflicts.map((c) => c.id));
      const writes: ConflictWrite[] = conflicts.map((c) => {
        const row = rows.get(c.id);
        const remoteValue = remoteSide === "theirs" ? c.theirs : c.ours;
        const localValue = remoteSide === "theirs" ? c.ours : c.theirs;
        const db: Task | null = row ? (Object.fromEntries([["id", c.id], ...TASK_FIELDS.map((f) => [f, row[f]])]) as Task) : localValue;
        const fields = remoteValue && db ? changedFields(remoteValue, db) : [...TASK_FIELDS];
        return { taskId: c.id, kind: flip(c.kind), base: c.base, yaml: remoteValue, db, fields };
      });
      return tx.upsertOpenConflicts(writes, null);
    });
    for (const c of conflicts) conflictOrigins.set(c.id, { taskId: c.id, ...origin });
    await saveOrigins();
    for (const record of records) {
      events.publish("sync_conflict_detected", { conflict: { id: record.id, taskId: record.taskId, kind: record.kind, fields: record.fields, detectedAt: record.detectedAt } });
    }
  }

  /** Where the origins of open conflicts survive a restart: inside the repository's git folder. */
  async function originsFile(): Promise<string> {
    const gitDir = path.resolve(repo.root, (await repo.ok(["rev-parse", "--git-dir"])).trim());
    return path.join(gitDir, "schedule-sync-conflicts.json");
  }

  async function saveOrigins(): Promise<void> {
    const file = await originsFile();
    await fs.writeFile(`${file}.tmp`, JSON.stringify([...conflictOrigins.values()], null, 2));
    await fs.rename(`${file}.tmp`, file);
  }

  async function loadOrigins(): Promise<void> {
    try {
      const saved = JSON.parse(await fs.readFile(await originsFile(), "utf8")) as GitSyncStatus["conflictsFromGit"];
      for (const origin of saved) if (typeof origin?.taskId === "string" && !conflictOrigins.has(origin.taskId)) conflictOrigins.set(origin.taskId, origin);
    } catch {
      // None saved yet, or unreadable: the origins are a label, not state the sync needs.
    }
  }

  async function writeAtomically(text: string): Promise<void> {
    const temp = path.join(path.dirname(absolute), `.${path.basename(absolute)}.git-merge-${process.pid}.tmp`);
    const handle = await fs.open(temp, "w");
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, absolute);
  }

  let pushing: Promise<boolean> | null = null;
  function push(): Promise<boolean> {
    if (!config.push) return Promise.resolve(false);
    pushing ??= (async () => {
      try {
        for (let attempt = 0; attempt < 4 && !closed; attempt++) {
          await ensureBranch();
          const result = await repo.run(["push", "--porcelain", "origin", `HEAD:refs/heads/${pushTarget()}`], { timeoutMs: 60_000 });
          if (result.code === 0) {
            lastPush = { at: new Date().toISOString(), error: null };
            healed();
            return true;
          }
          const words = result.stderr + result.stdout;
          lastPush = { at: new Date().toISOString(), error: words.trim().split("\n").filter((line) => !/^To |^Done/.test(line)).join(" ").slice(0, 500) || `git push exited ${result.code}` };
          // Rejected because the remote moved: merge it and try again (the push branch is the followed one).
          if (/\[rejected\]|non-fast-forward|fetch first|\[remote rejected\].*(stale|fast-forward)/.test(words) && pushTarget() === branch) {
            await pull("push_rejected");
            continue;
          }
          const delay = backoff();
          log("warn", `push failed, keeping the commits here and retrying in ${Math.round(delay / 1000)} s: ${lastPush.error}`);
          return false;
        }
        return false;
      } finally {
        pushing = null;
      }
    })();
    return pushing;
  }

  async function count(range: string): Promise<number | null> {
    const result = await repo.run(["rev-list", "--count", range]);
    return result.code === 0 ? Number(result.stdout.trim()) : null;
  }

  return {
    store,
    start() {
      unsubscribe.push(
        events.subscribe("sync_conflict_resolved", (payload) => resolutions.set(payload.taskId, payload.resolution)),
        events.subscribe("schedule_config_updated", (payload) => {
          // Named when the commit is made: the resolution's event follows this one.
          const origin = () => {
            const resolved = payload.changedTaskIds.flatMap((id) => (resolutions.has(id) ? [`${id} ${resolutions.get(id)}`] : []));
            for (const id of payload.changedTaskIds) {
              resolutions.delete(id);
              if (payload.source !== "merge" && conflictOrigins.delete(id)) track(saveOrigins());
            }
            return resolved.length > 0 ? `resolve conflict ${resolved.join(", ")}; dashboard` : (SOURCE_PREFIX[payload.source] ?? "schedule-sync");
          };
          // The run's actor (issue #18) is the author: a person or a named token; else the configured identity.
          const author = authorOf(payload.actor ?? null, config.author.email);
          track(commit(origin, author));
        }),
      );
      if (config.fetchIntervalMs > 0) {
        timer = setInterval(() => {
          if (!pulling) track(pull("interval"));
        }, config.fetchIntervalMs);
        timer.unref();
      }
      track(
        loadOrigins()
          .then(() => serial(async () => {
            await abortInterruptedMerge();
            await commitLocked("hand edit");
          }))
          .then(() => pull("interval"))
          .then(() => (config.push ? push() : undefined)),
      );
    },
    async close() {
      closed = true;
      for (const off of unsubscribe.splice(0)) off();
      if (timer) clearInterval(timer);
      if (retryTimer) clearTimeout(retryTimer);
      await this.idle();
    },
    commit,
    pull,
    push,
    async idle() {
      while (background.size > 0 || pulling || pushing) {
        await Promise.all([...background, pulling, pushing]);
        await serial(async () => undefined);
      }
      await serial(async () => undefined);
    },
    async status(): Promise<GitSyncStatus> {
      await ensureBranch();
      const head = await repo.revParse("HEAD");
      const remoteHead = await repo.revParse(upstream());
      const both = head && remoteHead;
      const open = await storage.reads.loadOpenConflicts([...conflictOrigins.keys()]);
      let dropped = false;
      for (const id of conflictOrigins.keys()) if (!open.has(id)) dropped = conflictOrigins.delete(id) || dropped;
      if (dropped) track(saveOrigins());
      return {
        enabled: true,
        root: repo.root,
        file: repo.file,
        branch,
        pushBranch: config.pushBranch ?? null,
        head,
        remoteHead,
        ahead: both ? await count(`${remoteHead}..${head}`) : null,
        behind: both ? await count(`${head}..${remoteHead}`) : null,
        lastCommit,
        lastFetch,
        lastPush,
        lastMerge,
        retryAt: retryAt === null ? null : new Date(retryAt).toISOString(),
        conflictsFromGit: [...conflictOrigins.values()],
      };
    },
    originOf(taskId) {
      const origin = conflictOrigins.get(taskId);
      return origin ? { author: origin.author, commit: origin.commit, subject: origin.subject } : null;
    },
    attach(syncEngine) {
      engine = syncEngine;
    },
  };
}

/** The author a run's actor makes: people and named tokens by name (with the configured address); null for the server's own runs, cron and the admin token. */
export function authorOf(actor: Actor | null, email: string): GitAuthor | null {
  if (!actor || (actor.kind !== "user" && actor.kind !== "token" && actor.kind !== "cli")) return null;
  return { name: describeActor(actor).who, email };
}
