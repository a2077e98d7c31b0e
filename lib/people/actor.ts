/**
 * Who or what made a change (issue #18): recorded with every run, so history, the task page,
 * the conflict view and the CLI can say it. Plain data with no dependencies: the engine records
 * it, lib/auth makes it from a request's principal.
 *
 * - `user`: a person signed in (password, auth proxy, OIDC): name = username
 * - `token`: a named API token: name = the token's name
 * - `admin_token`: the bootstrap ADMIN_TOKEN (and every person-made run before #18)
 * - `file`: a hand edit of the schedule file, seen by the watcher
 * - `cron`: the node-cron safety net
 * - `system`: the server's own runs: name = "startup" or "converge"
 * - `cli`: the command line with DATABASE_URL (no server in between): name = the OS user
 * - `git`: a git pull bringing a teammate's push (git mode): name = the newest pulled commit's
 *   author, id = that commit
 */
export type ActorKind = "user" | "token" | "admin_token" | "file" | "cron" | "system" | "cli" | "git";

export const ACTOR_KINDS: readonly ActorKind[] = ["user", "token", "admin_token", "file", "cron", "system", "cli", "git"];

export interface Actor {
  kind: ActorKind;
  name: string | null;
  /** The user's or token's id, when there is one. */
  id: string | null;
}

export const actor = (kind: ActorKind, name: string | null = null, id: string | null = null): Actor => ({ kind, name, id });

/** The actor a run has when its caller names none: what its trigger implies. */
export function actorOfTrigger(trigger: string): Actor {
  if (trigger === "cron") return actor("cron");
  if (trigger === "watch") return actor("file");
  if (trigger === "startup" || trigger === "converge") return actor("system", trigger);
  if (trigger === "git") return actor("git");
  return actor("admin_token");
}

/**
 * How the UI and the CLI name an actor: `who` ("alice", "token ci-deploy", "hand edit of the
 * file") and where it acted, when that says something ("in the dashboard", "through the API").
 * A null actor is a row written before actors were recorded.
 */
export function describeActor(a: Actor | null, trigger = ""): { who: string; where: string | null } {
  const known = a ?? actorOfTrigger(trigger);
  switch (known.kind) {
    case "user":
      return { who: known.name ?? "a user", where: trigger === "cli" ? "from the command line" : "in the dashboard" };
    case "token":
      return { who: `token ${known.name ?? "?"}`, where: "through the API" };
    case "admin_token":
      return { who: "admin token", where: null };
    case "file":
      return { who: "hand edit of the file", where: null };
    case "cron":
      return { who: "cron", where: null };
    case "system":
      return { who: known.name === "startup" ? "start-up sync" : "follow-up sync", where: null };
    case "cli":
      return { who: known.name ? `${known.name} (command line)` : "command line", where: null };
    case "git":
      return { who: known.name ?? "a pulled commit", where: "through git" };
  }
}

/** describeActor as one phrase: "alice in the dashboard". */
export function actorLabel(a: Actor | null, trigger = ""): string {
  const { who, where } = describeActor(a, trigger);
  return where ? `${who} ${where}` : who;
}

/**
 * Who made one recorded change of a task: the run's actor, except that a change the server's own
 * run (start-up, follow-up) carried from the file into the database was a hand edit of the file.
 */
export function changeActorLabel(change: { actor: Actor | null; trigger: string; side: string }): string {
  const known = change.actor ?? actorOfTrigger(change.trigger);
  if (known.kind === "system" && change.side === "db") return "hand edit of the file";
  return actorLabel(known, change.trigger);
}

/** `?actor=` of the history: "alice", "token:ci", "file", "cron", "admin_token", … */
export function parseActorFilter(value: string): { kind: ActorKind | null; name: string | null } {
  const colon = value.indexOf(":");
  const head = colon < 0 ? value : value.slice(0, colon);
  if ((ACTOR_KINDS as readonly string[]).includes(head)) return { kind: head as ActorKind, name: colon < 0 ? null : value.slice(colon + 1) || null };
  return { kind: null, name: value };
}
