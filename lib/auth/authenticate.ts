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

export function createAuthenticator({ adminToken, sessions }: { adminToken: string; sessions: Pick<SessionStore, "find"> }): Authenticator {
  const isAdminToken = (given: string) => safeEqual(given, adminToken);
  return {
    isAdminToken,
    async authenticate(headers) {
      const { bearer, session } = presentedCredentials(headers);
      // A wrong token is refused even beside a valid cookie: it says who the caller meant to be.
      if (bearer !== null) return isAdminToken(bearer) ? { outcome: "authenticated", principal: ADMIN } : { outcome: "refused", credential: "token" };
      if (session) {
        const principal = await sessions.find(session);
        return principal ? { outcome: "authenticated", principal } : { outcome: "refused", credential: "session" };
      }
      return { outcome: "anonymous" };
    },
  };
}
