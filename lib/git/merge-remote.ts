import fs from "node:fs/promises";
import path from "node:path";
import { parseSchedule } from "../yaml/parse/parse-schedule";
import { applySchedulePatch } from "../yaml/write/apply-schedule-patch";
import { remoteCommit, type ConflictOrigin, type TaskConflict } from "./conflict-origins";
import type { FileCommits } from "./file-commits";
import type { GitRepo } from "./git-repo";
import { mergeSchedules } from "./merge-schedules";

/** What a merge of the fetched remote into HEAD did. */
export type MergeOutcome =
  /** HEAD moved: a fast-forward, a merge commit or the local commits rebased; `conflicts` tasks were left to the dashboard. */
  | { moved: true; subject: string; conflicts: number }
  /** HEAD stayed: the merge was refused, and why (the status shows it). */
  | { moved: false; refused: string };

export interface MergeContext {
  repo: GitRepo;
  /** The followed branch; the remote is `origin/<branch>`. */
  branch: string;
  /** GIT_PULL: merge commits, or the local commits replayed on top of the remote. */
  pull: "merge" | "rebase";
  /** The server's committer identity, as git's environment variables. */
  identity: Record<string, string>;
  commits: FileCommits;
  /** Records the tasks the merge left in conflict (see openGitConflicts). */
  openConflicts(conflicts: readonly TaskConflict[], origin: Omit<ConflictOrigin, "taskId">, remoteSide: "ours" | "theirs"): Promise<void>;
  log: (level: "info" | "warn" | "error", message: string) => void;
}

/**
 * Merges the fetched remote into HEAD, per task for the schedule file (mergeSchedules, base =
 * the merge-base's file). Runs under the engine's slot, the file lock and git-sync's queue:
 * nothing else writes the file meanwhile.
 */
export async function mergeRemote(ctx: MergeContext, remote: string): Promise<MergeOutcome> {
  const { repo, branch, commits } = ctx;
  await commits.commit("hand edit", null);
  if (await commits.holdsUncommittedEdit()) {
    return { moved: false, refused: `not merging origin/${branch}: the schedule file holds an edit that does not parse yet; the merge waits until it is fixed` };
  }
  const head = await repo.revParse("HEAD");
  if (!head) {
    await repo.ok(["reset", "--quiet", "--hard", remote]);
    return { moved: true, subject: "fast-forward", conflicts: 0 };
  }
  if (await repo.isAncestor(head, remote)) {
    await repo.ok(["merge", "--quiet", "--ff-only", remote]);
    return { moved: true, subject: "fast-forward", conflicts: 0 };
  }
  if (ctx.pull === "rebase") {
    const rebased = await rebaseOnto(ctx, head, remote);
    if (rebased !== null) return rebased;
  }
  const mergeBase = (await repo.run(["merge-base", head, remote])).stdout.trim() || null;
  const [base, ours, theirs] = await Promise.all([mergeBase ? repo.fileAt(mergeBase) : null, repo.fileAt(head), repo.fileAt(remote)]);

  let text: string | null = theirs;
  let conflicts: TaskConflict[] = [];
  if (ours !== null && theirs !== null) {
    const outcome = mergeSchedules(base, ours, theirs, { labels: { ours: "HEAD", base: "merge-base", theirs: `origin/${branch}` } });
    if (!outcome.ok) {
      return { moved: false, refused: `cannot merge origin/${branch} per task: ${outcome.side === "theirs" ? "the remote's" : "the local"} file is not valid (${outcome.issues[0]?.message ?? ""})` };
    }
    conflicts = outcome.conflicts.filter((c): c is TaskConflict => c.part === "task");
    text = conflicts.length > 0 ? withTheirs(outcome.resolved, conflicts) : outcome.resolved;
  } else if (theirs === null) text = ours;

  // A real merge commit (other files merge as git merges them); the schedule file is ours to write.
  // Git keeps our version of the schedule file while it merges (a merge driver that does
  // nothing), so no conflict markers ever land in the file the watcher and the engine read.
  const keep = await keepOursConfig(repo);
  // Marks the merge as the server's: a start after a crash between here and the commit aborts it.
  const marker = await mergeMarker(repo);
  await fs.writeFile(marker, remote);
  const started = await repo.run([...keep, "merge", "--quiet", "--no-ff", "--no-commit", "--no-verify", remote], { env: ctx.identity });
  const unmerged = (await repo.ok(["diff", "--name-only", "--diff-filter=U"])).split("\n").filter((name) => name && name !== repo.file);
  if (unmerged.length > 0 || (started.code !== 0 && !(await merging(repo)))) {
    await repo.run(["merge", "--abort"]);
    await fs.rm(marker, { force: true });
    return { moved: false, refused: `merging origin/${branch} conflicts outside the schedule file (${unmerged.join(", ") || started.stderr.trim()}); merge it by hand` };
  }
  if (text !== null) await writeAtomically(path.join(repo.root, ...repo.file.split("/")), text);
  await repo.ok(["add", "--", repo.file]);
  const subject = `merge origin/${branch} per task${conflicts.length > 0 ? `; ${conflicts.length} in conflict: ${conflicts.map((c) => c.id).join(", ")}` : ""}`;
  await repo.ok(["commit", "--quiet", "--no-verify", "--no-gpg-sign", "-m", subject], { env: ctx.identity });
  await fs.rm(marker, { force: true });

  if (conflicts.length > 0) await ctx.openConflicts(conflicts, await remoteCommit(repo, remote), "theirs");
  return { moved: true, subject, conflicts: conflicts.length };
}

/**
 * GIT_PULL=rebase: replays each local commit (the server's own, touching only the schedule
 * file) on top of the remote, merging per task at every step (base = the commit's parent,
 * ours = the new tip, theirs = the commit), keeping each commit's author and message; a
 * same-field clash keeps the remote's value in the file and opens a dashboard conflict.
 * Returns null (merge instead) when a local commit is a merge or touches other files.
 */
async function rebaseOnto(ctx: MergeContext, head: string, remote: string): Promise<MergeOutcome | null> {
  const { repo, branch, log } = ctx;
  const local = (await repo.ok(["rev-list", "--reverse", "--parents", `${remote}..${head}`])).trim().split("\n").filter(Boolean);
  for (const line of local) {
    const [sha, ...parents] = line.split(" ");
    if (parents.length !== 1) return (log("warn", `rebase: ${sha} is a merge`), null);
    const files = (await repo.ok(["diff-tree", "--no-commit-id", "--name-only", "-r", sha!])).trim().split("\n").filter(Boolean);
    if (files.some((file) => file !== repo.file)) return (log("warn", `rebase: ${sha} touches ${files.join(",")}`), null);
  }
  // The commits are built in an index of our own: the work tree and its index stay as they are until the reset.
  const index = { GIT_INDEX_FILE: path.join(await gitDir(repo), "schedule-sync-rebase-index") };
  let tip = remote;
  let tipText = await repo.fileAt(remote);
  const conflicts = new Map<string, TaskConflict>();
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
    tip = (await repo.ok(["commit-tree", tree, "-p", tip, "-m", message!.trim()], { env: { ...ctx.identity, ...author } })).trim();
    tipText = text;
  }
  await fs.rm(index.GIT_INDEX_FILE, { force: true });
  await repo.ok(["reset", "--quiet", "--keep", tip]);
  const found = [...conflicts.values()];
  if (found.length > 0) await ctx.openConflicts(found, await remoteCommit(repo, remote), "ours");
  const subject = `rebased ${local.length} local commit${local.length === 1 ? "" : "s"} onto origin/${branch} per task${found.length > 0 ? `; ${found.length} in conflict: ${found.map((c) => c.id).join(", ")}` : ""}`;
  return { moved: true, subject, conflicts: found.length };
}

/**
 * A merge the server began and never committed (the process stopped in between) leaves the
 * work tree merging, and every later commit would fail. Only a merge the server marked as its
 * own is aborted: someone else's merge in a shared work tree is theirs to finish. Returns the
 * remote commit that merge was of, when one was aborted.
 */
export async function abortInterruptedMerge(repo: GitRepo): Promise<string | null> {
  const marker = await mergeMarker(repo);
  const remote = await fs.readFile(marker, "utf8").catch(() => null);
  if (remote === null) return null;
  const aborted = await merging(repo);
  if (aborted) await repo.ok(["merge", "--abort"]);
  await fs.rm(marker, { force: true });
  return aborted ? remote.trim() : null;
}

const gitDir = async (repo: GitRepo) => path.resolve(repo.root, (await repo.ok(["rev-parse", "--git-dir"])).trim());
const mergeMarker = async (repo: GitRepo) => path.join(await gitDir(repo), "schedule-sync-merge");
const merging = async (repo: GitRepo) => (await repo.run(["rev-parse", "-q", "--verify", "MERGE_HEAD"])).stdout.trim() !== "";

/** The `-c` options under which git's merge keeps our schedule file: the repository's own driver for it made a no-op, or one of ours. */
async function keepOursConfig(repo: GitRepo): Promise<string[]> {
  const attr = (await repo.run(["check-attr", "merge", "--", repo.file])).stdout.trim();
  const value = /: merge: (.+)$/.exec(attr)?.[1];
  if (value && !["unspecified", "set", "unset"].includes(value)) return ["-c", `merge.${value}.driver=true`];
  const attributes = path.join(await gitDir(repo), "schedule-sync-merge-attributes");
  await fs.writeFile(attributes, `/${repo.file} merge=schedule-sync-keep\n`).catch(() => undefined);
  return ["-c", `core.attributesFile=${attributes}`, "-c", "merge.schedule-sync-keep.driver=true"];
}

/** The merged text with each conflicting task as the remote has it: the DB keeps ours, so the sync sees both. */
function withTheirs(resolved: string, conflicts: readonly TaskConflict[]): string {
  const parsed = parseSchedule(resolved);
  if (!parsed.ok) return resolved;
  const upsert = conflicts.flatMap((c) => (c.theirs ? [c.theirs] : []));
  const remove = conflicts.filter((c) => !c.theirs).map((c) => c.id);
  return applySchedulePatch({ text: resolved, parsed }, { upsert, delete: remove }).text;
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.git-merge-${process.pid}.tmp`);
  const handle = await fs.open(temp, "w");
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(temp, file);
}
