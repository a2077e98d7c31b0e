import { actorLabel, parseActorFilter } from "../lib/people/actor";
import { roleSchema } from "../lib/people/roles";
import { UsageError } from "./cli-error";
import { EXIT, type CliIo } from "./cli-io";
import { loadCliConfig } from "./load-cli-config";
import { openPeopleBackend, type PeopleBackend } from "./people-backend";

type Values = Record<string, string | boolean | undefined>;

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const day = (iso: string | null) => (iso ? iso.slice(0, 16).replace("T", " ") : "never");

async function withPeople(values: Values, io: CliIo, work: (backend: PeopleBackend) => Promise<number>): Promise<number> {
  const url = typeof values.url === "string" ? values.url : undefined;
  const backend = await openPeopleBackend({ url }, loadCliConfig(io), io);
  try {
    return await work(backend);
  } finally {
    await backend.close().catch(() => undefined);
  }
}

function roleOf(values: Values, fallback?: "viewer") {
  const parsed = roleSchema.safeParse(values.role ?? fallback);
  if (!parsed.success) throw new UsageError(`--role must be viewer, editor or admin, not ${JSON.stringify(values.role)}`);
  return parsed.data;
}

/** `users add <name> --role <r> [--password-stdin]`, `users list`, `users remove <name>`. */
export async function usersCommand(values: Values, positionals: string[], io: CliIo, readStdin: () => Promise<string>): Promise<number> {
  const [verb, name] = positionals;
  if (verb !== "list" && verb !== "add" && verb !== "remove") throw new UsageError("expected `users list`, `users add <username>` or `users remove <username>`");
  if (verb !== "list" && !name) throw new UsageError(`users ${verb} needs a username`);
  const password = values["password-stdin"] ? (await readStdin()).replace(/\r?\n$/, "") : undefined;
  return withPeople(values, io, async (backend) => {
    if (verb === "list") {
      const users = await backend.listUsers();
      if (values.json) io.stdout.write(json(users));
      else if (users.length === 0) io.stdout.write(`No users yet (${backend.where}); the admin token is the only admin.\n`);
      else {
        const width = Math.max(...users.map((u) => u.username.length));
        for (const u of users) io.stdout.write(`${u.username.padEnd(width)}  ${u.role.padEnd(6)}  ${u.source.padEnd(5)}  ${u.hasPassword ? "password" : "no password"}  last sign-in ${day(u.lastLoginAt)}\n`);
      }
      return EXIT.ok;
    }
    if (verb === "add") {
      const user = await backend.addUser({ username: name!, role: roleOf(values), ...(password ? { password } : {}) });
      io.stdout.write(values.json ? json(user) : `Added ${user.username} (${user.role})${user.hasPassword ? " with a password" : ""} to ${backend.where}.\n`);
      return EXIT.ok;
    }
    const removed = await backend.removeUser(name!);
    io.stdout.write(values.json ? json(removed) : `Removed ${removed.username}, their sessions and tokens.\n`);
    return EXIT.ok;
  });
}

/** `tokens create <name> --role <r> [--expires-days n]`, `tokens list`, `tokens revoke <name>`. */
export async function tokensCommand(values: Values, positionals: string[], io: CliIo): Promise<number> {
  const [verb, name] = positionals;
  if (verb !== "list" && verb !== "create" && verb !== "revoke") throw new UsageError("expected `tokens list`, `tokens create <name>` or `tokens revoke <name>`");
  if (verb !== "list" && !name) throw new UsageError(`tokens ${verb} needs a name`);
  const days = values["expires-days"] === undefined ? undefined : Number(values["expires-days"]);
  if (days !== undefined && !(days > 0)) throw new UsageError("--expires-days must be a positive number");
  return withPeople(values, io, async (backend) => {
    if (verb === "list") {
      const tokens = await backend.listTokens();
      if (values.json) io.stdout.write(json(tokens));
      else if (tokens.length === 0) io.stdout.write(`No named tokens yet (${backend.where}).\n`);
      else {
        const width = Math.max(...tokens.map((t) => t.name.length));
        for (const t of tokens) {
          const state = t.revokedAt ? `revoked ${day(t.revokedAt)}` : t.expiresAt && t.expiresAt < new Date().toISOString() ? "expired" : `expires ${day(t.expiresAt)}`;
          io.stdout.write(`${t.name.padEnd(width)}  ${t.role.padEnd(6)}  ${t.prefix}…  last used ${day(t.lastUsedAt)}  ${state}\n`);
        }
      }
      return EXIT.ok;
    }
    if (verb === "create") {
      const { token, secret } = await backend.createToken({ name: name!, role: roleOf(values), ...(days ? { expiresInDays: days } : {}) });
      if (values.json) io.stdout.write(json({ token, secret }));
      else {
        io.stderr.write(`Created token ${token.name} (${token.role}${token.expiresAt ? `, expires ${day(token.expiresAt)}` : ""}). It is shown once: keep it now.\n`);
        io.stdout.write(`${secret}\n`);
      }
      return EXIT.ok;
    }
    const revoked = await backend.revokeToken(name!);
    io.stdout.write(values.json ? json(revoked) : `Revoked token ${revoked.name}.\n`);
    return EXIT.ok;
  });
}

/** `history [--actor alice|token:ci|file|cron] [--limit n]`: recent runs with who made them. */
export async function historyCommand(values: Values, io: CliIo): Promise<number> {
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new UsageError("--limit must be a whole number from 1 to 500");
  const actor = typeof values.actor === "string" && values.actor.trim() ? parseActorFilter(values.actor.trim()) : undefined;
  return withPeople(values, io, async (backend) => {
    const runs = await backend.listRuns({ limit, actor });
    if (values.json) {
      io.stdout.write(json(runs));
      return EXIT.ok;
    }
    if (runs.length === 0) io.stdout.write(`No runs${actor ? " by that actor" : ""} (${backend.where}).\n`);
    for (const run of runs) {
      const counts = run.counts as { toDb?: Record<string, number>; toYaml?: Record<string, number> };
      const sum = (side?: Record<string, number>) => (side ? (side.create ?? 0) + (side.update ?? 0) + (side.delete ?? 0) : 0);
      const what = run.status === "error" ? `failed: ${run.error}` : `${sum(counts.toDb)} to DB, ${sum(counts.toYaml)} to YAML${run.conflicts ? `, ${run.conflicts} conflicts` : ""}`;
      io.stdout.write(`${day(run.startedAt)}  ${run.trigger.padEnd(8)}  ${actorLabel(run.actor, run.trigger)}  ${what}\n`);
    }
    return EXIT.ok;
  });
}
