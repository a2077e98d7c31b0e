import { actor, type Actor } from "../people/actor";
import { roleIncludes, type Role } from "../people/roles";

export type { Role } from "../people/roles";

/**
 * Who a request acts as, and what a route asks of it (issue #18): the bootstrap admin token, a
 * person's session (signed in with the admin token, a password, or OIDC), a named API token, or a
 * person named by the trusted auth proxy on this very request.
 */

/** What a route needs: "public" (anyone) or at least that role. */
export type Access = "public" | Role;

/** How a session was made. Every credential but the admin token names a user. */
export type SessionCredential = "admin_token" | "password" | "proxy" | "oidc";

export type Principal =
  | { kind: "admin_token"; role: Role }
  | { kind: "session"; role: Role; sessionId: string; credential: SessionCredential; userId: string | null; username: string | null }
  | { kind: "token"; role: Role; tokenId: string; name: string; userId: string | null }
  | { kind: "proxy"; role: Role; userId: string; username: string };

/** Whether `principal` (null: no credentials) may use something that needs `access`. */
export function allows(principal: Principal | null, access: Access): boolean {
  if (access === "public") return true;
  return principal !== null && roleIncludes(principal.role, access);
}

/** The actor a principal's changes are recorded with. */
export function actorOf(principal: Principal | null): Actor {
  if (principal === null) return actor("admin_token");
  switch (principal.kind) {
    case "admin_token":
      return actor("admin_token");
    case "session":
      return principal.username ? actor("user", principal.username, principal.userId) : actor("admin_token");
    case "token":
      return actor("token", principal.name, principal.tokenId);
    case "proxy":
      return actor("user", principal.username, principal.userId);
  }
}
