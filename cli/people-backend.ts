import os from "node:os";
import type { AppConfig } from "../lib/config/env";
import type { ActorKind } from "../lib/people/actor";
import type { ApiToken, NewToken, User } from "../lib/people/people-store";
import type { Role } from "../lib/people/roles";
import type { RunRecord } from "../lib/sync/storage/sync-storage";
import { CliError } from "./cli-error";
import type { CliIo } from "./cli-io";
import { serverUrl } from "./open-sync-backend";
import { readAdminToken } from "./read-admin-token";

/**
 * Where `users`, `tokens` and `history` run (issue #18): like the sync commands, the database
 * itself with DATABASE_URL, else the running server's API with the admin token (or a named
 * admin token in SCHEDULE_SYNC_TOKEN).
 */
export interface PeopleBackend {
  readonly where: string;
  listUsers(): Promise<User[]>;
  addUser(input: { username: string; role: Role; password?: string }): Promise<User>;
  removeUser(username: string): Promise<User>;
  listTokens(): Promise<ApiToken[]>;
  createToken(input: { name: string; role: Role; expiresInDays?: number }): Promise<{ token: ApiToken; secret: string }>;
  revokeToken(name: string): Promise<ApiToken>;
  listRuns(options: { limit: number; actor?: { kind: ActorKind | null; name: string | null } }): Promise<RunRecord[]>;
  close(): Promise<void>;
}

export async function openPeopleBackend(options: { url?: string }, config: AppConfig, io: CliIo): Promise<PeopleBackend> {
  if (!options.url && config.databaseUrl) return openDirect(config, io);
  const { url } = serverUrl(options.url, io.env, config.port);
  const named = io.env.SCHEDULE_SYNC_TOKEN?.trim();
  const { token, tokenSource } = named ? { token: named, tokenSource: "SCHEDULE_SYNC_TOKEN" } : await readAdminToken(config);
  if (!token) throw new CliError("no_token", `no token to talk to the server at ${url}: set SCHEDULE_SYNC_TOKEN or ADMIN_TOKEN (${tokenSource} does not exist)`);
  return httpBackend(url, token);
}

async function openDirect(config: AppConfig, io: CliIo): Promise<PeopleBackend> {
  const [{ createCore }, { createPeopleStore }, { redactDatabaseUrl }] = await Promise.all([
    import("../lib/core/create-core"),
    import("../lib/people/people-store"),
    import("./direct-backend"),
  ]);
  const core = await createCore(config, { log: (level, message) => level !== "info" && io.stderr.write(`schedule-sync: ${message}\n`) });
  const people = createPeopleStore({ db: core.db });
  let who: string | null = null;
  try {
    who = os.userInfo().username;
  } catch {
    who = null;
  }
  const createdBy = `${who ?? "someone"} (command line)`;
  return {
    where: `database ${redactDatabaseUrl(config.databaseUrl!)}`,
    listUsers: () => people.listUsers(),
    addUser: (input) => people.addUser({ ...input, source: "local" }),
    removeUser: (username) => people.removeUser(username),
    listTokens: () => people.listTokens(),
    createToken: ({ name, role, expiresInDays }) =>
      people.createToken({ name, role, createdBy, expiresAt: expiresInDays ? new Date(Date.now() + expiresInDays * 86_400_000) : null } satisfies NewToken),
    revokeToken: (name) => people.revokeToken(name),
    listRuns: (options) => core.storage.reads.listRuns(options),
    close: () => core.close(),
  };
}

function httpBackend(base: string, token: string): PeopleBackend {
  async function request<T>(method: string, pathname: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${base}${pathname}`, {
        method,
        headers: { accept: "application/json", authorization: `Bearer ${token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(30_000),
        redirect: "manual",
      });
    } catch (error) {
      throw new CliError("server_unreachable", `no schedule-sync server is reachable at ${base}: ${(error as Error).message}`, { cause: error });
    }
    const json = (await res.json().catch(() => undefined)) as { error?: { code?: string; message?: string } } | undefined;
    if (res.ok && json && !json.error) return json as T;
    const code = json?.error?.code ?? `http_${res.status}`;
    throw new CliError(code, `the server answered ${res.status}: ${json?.error?.message ?? "not the schedule-sync API"}`);
  }
  const path = (segment: string) => encodeURIComponent(segment);
  return {
    where: `server ${base}`,
    listUsers: async () => (await request<{ items: User[] }>("GET", "/api/users")).items,
    addUser: (input) => request("POST", "/api/users", input),
    removeUser: async (username) => (await request<{ removed: User }>("DELETE", `/api/users/${path(username)}`)).removed,
    listTokens: async () => (await request<{ items: ApiToken[] }>("GET", "/api/tokens")).items,
    createToken: (input) => request("POST", "/api/tokens", input),
    revokeToken: async (name) => (await request<{ revoked: ApiToken }>("DELETE", `/api/tokens/${path(name)}`)).revoked,
    listRuns: async ({ limit, actor: filter }) => {
      const q = new URLSearchParams({ limit: String(limit) });
      if (filter) q.set("actor", filter.kind && filter.name ? `${filter.kind}:${filter.name}` : (filter.kind ?? filter.name ?? ""));
      return (await request<{ items: RunRecord[] }>("GET", `/api/sync/runs?${q}`)).items;
    },
    close: async () => undefined,
  };
}
