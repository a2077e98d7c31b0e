import { createHash, randomBytes, randomUUID, scryptSync } from "node:crypto";
import type { SqlSession } from "../db/create-database";
import type { Principal, Role, SessionCredential } from "./principal";

export type SessionPrincipal = Extract<Principal, { kind: "session" }>;

export interface SessionStoreOptions {
  db: Pick<SqlSession, "query">;
  /** A session unused for this long ends. */
  idleSeconds: number;
  /** A session ends this long after it was made, used or not. */
  maxSeconds: number;
  /** credentialFingerprint(ADMIN_TOKEN) of the token in use: sessions made with another token are void. */
  adminTokenFingerprint: string;
  /**
   * How long this process reuses a session it found valid, in ms. A session ended elsewhere (a
   * logout on another instance, expiry) stays usable here for at most this long.
   */
  cacheMs?: number;
}

export interface NewSession {
  /** The cookie's value; the database keeps only its hash. */
  secret: string;
  id: string;
  /** The longest the browser needs to keep the cookie. */
  maxAgeSeconds: number;
}

export interface SessionStore {
  create(input: { credential: SessionCredential; userId?: string | null }): Promise<NewSession>;
  /** The session a cookie's secret stands for, or null when there is none or it ended. Marks it used. */
  find(secret: string): Promise<SessionPrincipal | null>;
  /** Ends a session now (logout); listeners hear of it. */
  revoke(id: string): Promise<void>;
  /** The ids among `ids` that are still valid, without marking them used (open sockets). */
  stillValid(ids: readonly string[]): Promise<Set<string>>;
  /** Deletes ended sessions, those of another admin token and those of removed users. */
  purge(): Promise<number>;
  /** Called with the id of each session this process revokes. */
  onRevoked(listener: (id: string) => void): () => void;
}

/**
 * A slow hash of the admin token, stored with each session it makes: comparing it tells a
 * session of the current token from one of an earlier token, and being slow (scrypt, ~0.1 s,
 * computed once at start) keeps the database from being a fast oracle for guesses of a weak
 * ADMIN_TOKEN.
 */
export function credentialFingerprint(token: string): string {
  return scryptSync(token, "schedule-sync admin token fingerprint v1", 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }).toString("base64url");
}

const hashSecret = (secret: string) => createHash("sha256").update(secret).digest("base64url");
const CACHE_LIMIT = 10_000;

/**
 * Server-side sessions in the `sessions` table, so every instance sharing the database agrees
 * on them. Expiry is judged with the database's clock: idle after `idleSeconds` without use,
 * absolute `maxSeconds` after login.
 */
export function createSessionStore(options: SessionStoreOptions): SessionStore {
  const { db, idleSeconds, maxSeconds, adminTokenFingerprint } = options;
  const cacheMs = options.cacheMs ?? 1_000;
  // last_seen_at is written at most this often per session: a write per request would cost more
  // than the lookup, and idle expiry does not need a finer grain.
  const touchSeconds = Math.min(60, idleSeconds / 10);
  const cache = new Map<string, { principal: SessionPrincipal; at: number }>();
  const listeners = new Set<(id: string) => void>();
  // $1 the fingerprint, $2 the idle and $3 the absolute lifetime in seconds. A session of the
  // admin token lives as long as that token is the one in use; a person's as long as the user
  // exists (removing someone ends their sessions, a new role applies at once).
  const current = `((sessions.credential = 'admin_token' AND sessions.credential_fingerprint = $1)
    OR (sessions.credential <> 'admin_token' AND EXISTS (SELECT 1 FROM users u WHERE u.id::text = sessions.user_id)))`;
  const unexpired = `sessions.last_seen_at > now() - make_interval(secs => $2) AND sessions.created_at > now() - make_interval(secs => $3)`;
  const valid = `${current} AND ${unexpired}`;
  const purge = async () => {
    const rows = await db.query(
      `DELETE FROM "sessions" WHERE NOT (${unexpired}) OR NOT ${current} RETURNING id`,
      [adminTokenFingerprint, idleSeconds, maxSeconds],
    );
    return rows.length;
  };

  return {
    async create({ credential, userId = null }) {
      const secret = randomBytes(32).toString("base64url");
      const id = randomUUID();
      await db.query(`INSERT INTO "sessions" (id, secret_hash, credential, credential_fingerprint, user_id) VALUES ($1, $2, $3, $4, $5)`, [
        id,
        hashSecret(secret),
        credential,
        adminTokenFingerprint,
        userId,
      ]);
      // Logins are rare, so each one also clears out the sessions that ended since the last.
      await purge().catch(() => undefined);
      return { secret, id, maxAgeSeconds: maxSeconds };
    },

    async find(secret) {
      const hash = hashSecret(secret);
      const cached = cache.get(hash);
      if (cached && performance.now() - cached.at < cacheMs) return cached.principal;
      cache.delete(hash);
      const [row] = await db.query<{ id: string; user_id: string | null; credential: SessionCredential; role: Role | null; username: string | null; stale: boolean }>(
        `SELECT sessions.id, sessions.user_id, sessions.credential, u.role, u.username, sessions.last_seen_at < now() - make_interval(secs => $5) AS stale
         FROM "sessions" LEFT JOIN users u ON u.id::text = sessions.user_id WHERE secret_hash = $4 AND ${valid}`,
        [adminTokenFingerprint, idleSeconds, maxSeconds, hash, touchSeconds],
      );
      if (!row) return null;
      if (row.stale) await db.query(`UPDATE "sessions" SET last_seen_at = now() WHERE id = $1`, [row.id]);
      const principal: SessionPrincipal =
        row.credential === "admin_token"
          ? { kind: "session", role: "admin", sessionId: row.id, credential: "admin_token", userId: null, username: null }
          : { kind: "session", role: row.role ?? "viewer", sessionId: row.id, credential: row.credential, userId: row.user_id, username: row.username };
      if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
      cache.set(hash, { principal, at: performance.now() });
      return principal;
    },

    async revoke(id) {
      await db.query(`DELETE FROM "sessions" WHERE id = $1`, [id]);
      // Session ids are not secrets (the secret is only ever hashed); plain comparison is fine.
      for (const [hash, { principal }] of cache) if (id === principal.sessionId) cache.delete(hash);
      for (const listener of listeners) listener(id);
    },

    async stillValid(ids) {
      if (ids.length === 0) return new Set();
      const rows = await db.query<{ id: string }>(`SELECT id FROM "sessions" WHERE sessions.id = ANY($4::uuid[]) AND ${valid}`, [
        adminTokenFingerprint,
        idleSeconds,
        maxSeconds,
        [...ids],
      ]);
      return new Set(rows.map((row) => row.id));
    },

    purge,

    onRevoked(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
