import { createHash, randomBytes, randomUUID } from "node:crypto";
import { z } from "zod";
import type { SqlSession } from "../db/create-database";
import { burnPasswordCheck, hashPassword, verifyPassword } from "./password";
import { PeopleError } from "./people-errors";
import type { Role } from "./roles";

/** How a person first came in: created by an admin (local), by the auth proxy's header, or by OIDC. */
export type UserSource = "local" | "proxy" | "oidc";

export interface User {
  id: string;
  username: string;
  displayName: string | null;
  email: string | null;
  role: Role;
  source: UserSource;
  /** Whether the user can sign in with a password. */
  hasPassword: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

export interface ApiToken {
  id: string;
  name: string;
  role: Role;
  /** The secret's first characters ("ssk_AbC1…"), to tell tokens apart. */
  prefix: string;
  userId: string | null;
  createdBy: string | null;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

/** A username: lower-case, also an e-mail address (what auth proxies send). */
export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._@+-]{0,127}$/, "a username is 1-128 characters: letters, digits and . _ @ + - (not first)");
export const tokenNameSchema = z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "a token name is 1-64 characters: letters, digits and . _ - (not first)");
export const passwordSchema = z.string().min(10, "a password has at least 10 characters").max(1024);

export interface NewUser {
  username: string;
  role: Role;
  password?: string | null;
  displayName?: string | null;
  email?: string | null;
  source?: UserSource;
}

export interface NewToken {
  name: string;
  role: Role;
  expiresAt?: Date | null;
  userId?: string | null;
  /** Who made it (an actor label). */
  createdBy?: string | null;
}

export interface PeopleStore {
  addUser(input: NewUser): Promise<User>;
  listUsers(): Promise<User[]>;
  getUser(id: string): Promise<User | null>;
  findUser(username: string): Promise<User | null>;
  /** Changes a role or password; refuses to demote the last admin. */
  updateUser(username: string, changes: { role?: Role; password?: string | null }): Promise<User>;
  /** Deletes a user, their sessions and their tokens; refuses the last admin. */
  removeUser(username: string): Promise<User>;
  /** The user whose password this is, or null (as slow for an unknown name as for a wrong password). */
  checkPassword(username: string, password: string): Promise<User | null>;
  /** The user the auth proxy or OIDC names, created with `role` on first sight; a proxy's sight is a sign-in. */
  userOnFirstSight(input: { username: string; role: Role; source: UserSource; email?: string | null; displayName?: string | null }): Promise<User>;
  /** Sets last_login_at (and for OIDC the role its claim maps to). */
  recordLogin(id: string, role?: Role): Promise<void>;
  /** Creates a token; `secret` is shown once and never stored. */
  createToken(input: NewToken): Promise<{ token: ApiToken; secret: string }>;
  listTokens(): Promise<ApiToken[]>;
  revokeToken(name: string): Promise<ApiToken>;
  /** The live (not revoked, not expired) token of this secret, or null; marks it used. */
  findToken(secret: string): Promise<ApiToken | null>;
  /** The ids among `tokenIds` of live tokens and among `userIds` of existing users (open sockets). */
  stillValid(ids: { tokenIds: readonly string[]; userIds: readonly string[] }): Promise<Set<string>>;
}

export const TOKEN_PREFIX = "ssk_";
const hashToken = (secret: string) => createHash("sha256").update(secret).digest("hex");

const USER_COLUMNS = `id::text AS id, username, display_name AS "displayName", email, role, source, password_hash IS NOT NULL AS "hasPassword",
  created_at AS "createdAt", last_login_at AS "lastLoginAt"`;
const TOKEN_COLUMNS = `id::text AS id, name, role, prefix, user_id::text AS "userId", created_by AS "createdBy", created_at AS "createdAt",
  expires_at AS "expiresAt", revoked_at AS "revokedAt", last_used_at AS "lastUsedAt"`;

type Row = Record<string, unknown>;
const iso = (value: unknown) => (value === null || value === undefined ? null : new Date(value as string).toISOString());
const userOf = (row: Row): User => ({ ...(row as unknown as User), createdAt: iso(row.createdAt)!, lastLoginAt: iso(row.lastLoginAt) });
const tokenOf = (row: Row): ApiToken => ({
  ...(row as unknown as ApiToken),
  createdAt: iso(row.createdAt)!,
  expiresAt: iso(row.expiresAt),
  revokedAt: iso(row.revokedAt),
  lastUsedAt: iso(row.lastUsedAt),
});

const isUniqueViolation = (error: unknown) => /duplicate key|unique constraint/i.test((error as Error)?.message ?? "") || (error as { code?: string })?.code === "23505";

/**
 * Users and named API tokens in the database (tables `users`, `api_tokens`), shared by every
 * instance. Passwords are scrypt hashes; a token's secret is random (256 bits) and stored as its
 * SHA-256 only, which is enough for a secret nobody chose.
 */
export function createPeopleStore({
  db,
  touchSeconds = 60,
  cacheMs = 1_000,
}: {
  db: Pick<SqlSession, "query">;
  touchSeconds?: number;
  /**
   * How long this process reuses a token it found live, like sessions: a revocation here holds at
   * once, one on another instance (or an expiry) within this long.
   */
  cacheMs?: number;
}): PeopleStore {
  const tokenCache = new Map<string, { token: ApiToken; at: number }>();
  const one = async (sql: string, params: unknown[]) => (await db.query<Row>(sql, params))[0] ?? null;
  const findUser = async (username: string) => {
    const row = await one(`SELECT ${USER_COLUMNS} FROM users WHERE username = $1`, [username.trim().toLowerCase()]);
    return row ? userOf(row) : null;
  };
  const mustFind = async (username: string) => {
    const user = await findUser(username);
    if (!user) throw new PeopleError("user_not_found", `There is no user '${username}'`);
    return user;
  };
  // Somebody must be able to manage people without the bootstrap token.
  const guardLastAdmin = async (user: User) => {
    if (user.role !== "admin") return;
    const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND id <> $1::uuid`, [user.id]);
    if ((row?.n ?? 0) === 0) throw new PeopleError("last_admin", `'${user.username}' is the last admin user; make another admin first (the admin token stays an admin either way)`);
  };
  const insertUser = async (input: NewUser) => {
    const username = usernameSchema.parse(input.username);
    const passwordHash = input.password ? await hashPassword(passwordSchema.parse(input.password)) : null;
    const row = await one(
      `INSERT INTO users (id, username, display_name, email, role, password_hash, source) VALUES ($1::uuid, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (username) DO NOTHING RETURNING ${USER_COLUMNS}`,
      [randomUUID(), username, input.displayName ?? null, input.email ?? null, input.role, passwordHash, input.source ?? "local"],
    );
    return row ? userOf(row) : null;
  };

  return {
    async addUser(input) {
      const user = await insertUser(input);
      if (!user) throw new PeopleError("user_exists", `A user '${input.username.trim().toLowerCase()}' already exists`);
      return user;
    },
    async listUsers() {
      return (await db.query<Row>(`SELECT ${USER_COLUMNS} FROM users ORDER BY username`)).map(userOf);
    },
    async getUser(id) {
      const row = await one(`SELECT ${USER_COLUMNS} FROM users WHERE id::text = $1`, [id]);
      return row ? userOf(row) : null;
    },
    findUser,
    async updateUser(username, changes) {
      const user = await mustFind(username);
      if (changes.role && changes.role !== "admin") await guardLastAdmin(user);
      const passwordHash = changes.password === undefined ? undefined : changes.password === null ? null : await hashPassword(passwordSchema.parse(changes.password));
      const row = await one(
        `UPDATE users SET role = coalesce($2, role), password_hash = CASE WHEN $3 THEN $4 ELSE password_hash END, updated_at = now()
         WHERE id = $1::uuid RETURNING ${USER_COLUMNS}`,
        [user.id, changes.role ?? null, passwordHash !== undefined, passwordHash ?? null],
      );
      // A new password ends the sessions made with the old one.
      if (passwordHash !== undefined) await db.query(`DELETE FROM sessions WHERE user_id = $1 AND credential = 'password'`, [user.id]);
      return userOf(row!);
    },
    async removeUser(username) {
      const user = await mustFind(username);
      await guardLastAdmin(user);
      await db.query(`DELETE FROM sessions WHERE user_id = $1`, [user.id]);
      await db.query(`DELETE FROM users WHERE id = $1::uuid`, [user.id]);
      tokenCache.clear();
      return user;
    },
    async checkPassword(username, password) {
      const parsed = usernameSchema.safeParse(username);
      const row = parsed.success ? await one(`SELECT ${USER_COLUMNS}, password_hash AS "passwordHash" FROM users WHERE username = $1`, [parsed.data]) : null;
      if (!row?.passwordHash) {
        await burnPasswordCheck(password);
        return null;
      }
      const { passwordHash, ...rest } = row;
      return (await verifyPassword(password, passwordHash as string)) ? userOf(rest) : null;
    },
    async userOnFirstSight(input) {
      // Two requests of a new person at once: one inserts, both read the same row.
      const user = (await findUser(input.username)) ?? (await insertUser({ ...input, password: null })) ?? (await mustFind(input.username));
      // The auth proxy signs its user in with every request: the sign-in is written at most every
      // touchSeconds, like a token's last use. OIDC records its sign-in itself (recordLogin).
      if (input.source !== "proxy" || (user.lastLoginAt !== null && Date.now() - Date.parse(user.lastLoginAt) < touchSeconds * 1000)) return user;
      await db.query(`UPDATE users SET last_login_at = now() WHERE id = $1::uuid`, [user.id]);
      return { ...user, lastLoginAt: new Date().toISOString() };
    },
    async recordLogin(id, role) {
      await db.query(`UPDATE users SET last_login_at = now(), role = coalesce($2, role) WHERE id = $1::uuid`, [id, role ?? null]);
    },
    async createToken(input) {
      const name = tokenNameSchema.parse(input.name);
      const secret = TOKEN_PREFIX + randomBytes(32).toString("base64url");
      try {
        const row = await one(
          `INSERT INTO api_tokens (id, name, role, token_hash, prefix, user_id, created_by, expires_at)
           VALUES ($1::uuid, $2, $3, $4, $5, $6::uuid, $7, $8::timestamptz) RETURNING ${TOKEN_COLUMNS}`,
          [randomUUID(), name, input.role, hashToken(secret), secret.slice(0, TOKEN_PREFIX.length + 6), input.userId ?? null, input.createdBy ?? null, input.expiresAt?.toISOString() ?? null],
        );
        return { token: tokenOf(row!), secret };
      } catch (error) {
        if (isUniqueViolation(error)) throw new PeopleError("token_exists", `A token named '${name}' already exists (revoked tokens keep their names)`);
        throw error;
      }
    },
    async listTokens() {
      return (await db.query<Row>(`SELECT ${TOKEN_COLUMNS} FROM api_tokens ORDER BY created_at DESC, name`)).map(tokenOf);
    },
    async revokeToken(name) {
      const row = await one(`UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE name = $1 RETURNING ${TOKEN_COLUMNS}`, [name.trim()]);
      if (!row) throw new PeopleError("token_not_found", `There is no token named '${name}'`);
      tokenCache.clear();
      return tokenOf(row);
    },
    async findToken(secret) {
      if (!secret.startsWith(TOKEN_PREFIX)) return null;
      const hash = hashToken(secret);
      const cached = tokenCache.get(hash);
      if (cached && performance.now() - cached.at < cacheMs && (!cached.token.expiresAt || cached.token.expiresAt > new Date().toISOString())) return cached.token;
      tokenCache.delete(hash);
      const row = await one(
        `SELECT ${TOKEN_COLUMNS}, last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $2) AS stale
         FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
        [hash, touchSeconds],
      );
      if (!row) return null;
      // last_used_at is written at most every touchSeconds: a write per request would cost more than the lookup.
      if (row.stale) await db.query(`UPDATE api_tokens SET last_used_at = now() WHERE id = $1::uuid`, [row.id]);
      const { stale, ...rest } = row;
      const token = tokenOf(stale ? { ...rest, lastUsedAt: new Date() } : rest);
      if (tokenCache.size >= 10_000) tokenCache.delete(tokenCache.keys().next().value!);
      if (cacheMs > 0) tokenCache.set(hash, { token, at: performance.now() });
      return token;
    },
    async stillValid({ tokenIds, userIds }) {
      if (tokenIds.length === 0 && userIds.length === 0) return new Set();
      const rows = await db.query<{ id: string }>(
        `SELECT id::text AS id FROM api_tokens WHERE id::text = ANY($1::text[]) AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
         UNION ALL SELECT id::text FROM users WHERE id::text = ANY($2::text[])`,
        [[...tokenIds], [...userIds]],
      );
      return new Set(rows.map((row) => row.id));
    },
  };
}
