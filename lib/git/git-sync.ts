import type { GitConfig } from "../config/env";
import type { EventBus } from "../events/event-bus";
import { actor, describeActor, type Actor } from "../people/actor";
import type { SyncStorage } from "../sync/storage/sync-storage";
import type { LockedSchedule, ScheduleStore } from "../yaml";
import { createConflictOrigins, openGitConflicts, remoteCommit, type ConflictOrigin } from "./conflict-origins";
import { createFileCommits, type CommitRecord, type GitAuthor } from "./file-commits";
import type { GitRepo } from "./git-repo";
import { abortInterruptedMerge, mergeRemote, type MergeOutcome } from "./merge-remote";

export type { GitAuthor } from "./file-commits";

/** What git mode needs of the sync engine: a slot between its runs, and a run. */
export interface GitSyncEngine {
  exclusive<T>(work: () => Promise<T>): Promise<T>;
  run(options: { trigger: "git"; actor: Actor }): Promise<unknown>;
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
  lastCommit: CommitRecord | null;
  lastFetch: GitOperation | null;
  lastPush: GitOperation | null;
  lastMerge: (GitOperation & { conflicts: number }) | null;
  /** When the next fetch or push retry is due after a failure. */
  retryAt: string | null;
  /** The open conflicts a merge of the remote opened, and whose commit brought them. */
  conflictsFromGit: ConflictOrigin[];
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
 * lock and between engine runs. This module is the service's schedule (the queue, timers,
 * retries, pull and push loops); file-commits.ts commits the file, merge-remote.ts merges or
 * rebases, conflict-origins.ts records what a merge left to the dashboard.
 */
export function createGitSync(deps: GitSyncDeps): GitSync {
  const { repo, config, storage, events } = deps;
  const log = deps.log ?? ((level, message) => console[level](`[git] ${message}`));
  const retry = deps.retry ?? { firstMs: 1000, maxMs: 60_000 };
  const identity = { GIT_AUTHOR_NAME: config.author.name, GIT_AUTHOR_EMAIL: config.author.email, GIT_COMMITTER_NAME: config.author.name, GIT_COMMITTER_EMAIL: config.author.email };
  const commits = createFileCommits({ repo, identity, store: deps.store, log });
  const origins = createConflictOrigins(repo);

  let branch = config.branch ?? "";
  let engine: GitSyncEngine | null = null;
  let lastFetch: GitOperation | null = null;
  let lastPush: GitOperation | null = null;
  let lastMerge: GitSyncStatus["lastMerge"] = null;
  let retryAt: number | null = null;
  let failures = 0;
  let timer: NodeJS.Timeout | null = null;
  let retryTimer: NodeJS.Timeout | null = null;
  let closed = false;
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

  const upstream = () => `refs/remotes/origin/${branch}`;
  const pushTarget = () => config.pushBranch ?? branch;

  async function ensureBranch(): Promise<void> {
    if (branch) return;
    const result = await repo.run(["symbolic-ref", "--short", "HEAD"]);
    branch = result.code === 0 ? result.stdout.trim() : "main";
  }

  /** Commits the file when it differs from HEAD; inside `serial`. */
  async function commitLocked(origin: string | (() => string), author: GitAuthor | null = null): Promise<string | null> {
    await ensureBranch();
    return commits.commit(origin, author);
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
    pinBackup: (text) => deps.store.pinBackup(text),
    releasePinnedBackups: () => deps.store.releasePinnedBackups(),
  };

  async function commitHandEdits(): Promise<void> {
    const text = await commits.read();
    if (text === null || commits.isHead(text)) return;
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
    const merged = await engine.exclusive(() => deps.store.withLock(() => serial(() => merge(remote))));
    if (!merged) return;
    // History names the pull's changes after the newest pulled commit's author (a pull bringing
    // several people's commits is named after the last; git log has the rest).
    const pulled = await remoteCommit(repo, remote);
    await engine.run({ trigger: "git", actor: actor("git", pulled.author || null, pulled.commit) });
    // The merge commit goes back up (a rejected push is already retrying: it called this pull).
    if (config.push && reason !== "push_rejected") track(push());
  }

  /** Merges the fetched remote into HEAD and records what came of it; under the engine's slot, the file lock and `serial`. True when HEAD moved. */
  async function merge(remote: string): Promise<boolean> {
    const outcome: MergeOutcome = await mergeRemote(
      {
        repo,
        branch,
        pull: config.pull,
        identity,
        commits,
        log,
        openConflicts: (conflicts, origin, remoteSide) => openGitConflicts({ storage, events, origins }, conflicts, origin, remoteSide),
      },
      remote,
    );
    if (!outcome.moved) {
      lastMerge = { at: new Date().toISOString(), error: outcome.refused, conflicts: 0 };
      log("warn", outcome.refused);
      return false;
    }
    const moved = await commits.headMoved(outcome.subject);
    lastMerge = { at: moved.at, error: null, conflicts: outcome.conflicts };
    log("info", `${outcome.subject} (${moved.sha.slice(0, 8)})`);
    return true;
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
            for (const id of payload.changedTaskIds) resolutions.delete(id);
            if (payload.source !== "merge") track(origins.drop(payload.changedTaskIds));
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
        origins
          .load()
          .then(() =>
            serial(async () => {
              const aborted = await abortInterruptedMerge(repo);
              if (aborted) log("warn", `aborted a merge of ${aborted} the server began before it stopped; the next fetch merges again`);
              await commitLocked("hand edit");
            }),
          )
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
      const known = origins.list().map((o) => o.taskId);
      const open = await storage.reads.loadOpenConflicts(known);
      track(origins.drop(known.filter((id) => !open.has(id))));
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
        lastCommit: commits.last(),
        lastFetch,
        lastPush,
        lastMerge,
        retryAt: retryAt === null ? null : new Date(retryAt).toISOString(),
        conflictsFromGit: origins.list(),
      };
    },
    originOf(taskId) {
      const origin = origins.get(taskId);
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
