import { usernameSchema, type PeopleStore } from "../people/people-store";
import type { AuthProxy } from "./auth-proxy";
import { presentedCredentials, safeEqual, type CredentialSource } from "./credentials";
import type { Principal } from "./principal";
import type { SessionStore } from "./session-store";

/** What a request's credentials amount to. */
export type Authentication =
  | { outcome: "authenticated"; principal: Principal }
  /** It presented no credentials. */
  | { outcome: "anonymous" }
  /** It presented a wrong token (counted against its address) or a session that does not exist (any more). */
  | { outcome: "refused"; credential: "token" | "session" };

export interface Authenticator {
  /** One answer for the front door, every route handler, every page and the Socket.IO server. */
  authenticate(headers: CredentialSource): Promise<Authentication>;
  /** Whether `given` is the admin token (the login forms), in constant time. */
  isAdminToken(given: string): boolean;
}

const ADMIN: Principal = { kind: "admin_token", role: "admin" };

export interface AuthenticatorDeps {
  adminToken: string;
  sessions: Pick<SessionStore, "find">;
  /** Named API tokens and the users the auth proxy names. */
  people?: Pick<PeopleStore, "findToken" | "userOnFirstSight">;
  proxy?: AuthProxy | null;
}

/**
 * A request is, in this order: the bearer of a token (the admin token, or a named API token), the
 * user a trusted auth proxy names (created on first sight with AUTH_PROXY_DEFAULT_ROLE), or the
 * holder of a session cookie.
 */
export function createAuthenticator({ adminToken, sessions, people, proxy = null }: AuthenticatorDeps): Authenticator {
  const isAdminToken = (given: string) => safeEqual(given, adminToken);
  return {
    isAdminToken,
    async authenticate(headers) {
      const { bearer, session } = presentedCredentials(headers);
      // A wrong token is refused even beside a valid cookie: it says who the caller meant to be.
      if (bearer !== null) {
        if (isAdminToken(bearer)) return { outcome: "authenticated", principal: ADMIN };
        const token = people ? await people.findToken(bearer) : null;
        if (!token) return { outcome: "refused", credential: "token" };
        return { outcome: "authenticated", principal: { kind: "token", role: token.role, tokenId: token.id, name: token.name, userId: token.userId } };
      }
      const named = proxy?.named(headers);
      if (named && people) {
        const username = usernameSchema.safeParse(named);
        if (username.success) {
          const user = await people.userOnFirstSight({ username: username.data, role: proxy!.defaultRole, source: "proxy", email: username.data.includes("@") ? username.data : null });
          return { outcome: "authenticated", principal: { kind: "proxy", role: user.role, userId: user.id, username: user.username } };
        }
      }
      if (session) {
        const principal = await sessions.find(session);
        return principal ? { outcome: "authenticated", principal } : { outcome: "refused", credential: "session" };
      }
      return { outcome: "anonymous" };
    },
  };
}
