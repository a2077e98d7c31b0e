/**
 * Who a request acts as, and what a route asks of it. Today every credential (the admin token,
 * or a session it made) is the admin; people with their own roles come with issue #18, which
 * only has to hand out other roles: every route already declares the access it needs.
 */
export type Role = "viewer" | "editor" | "admin";

/** What a route needs: "public" (anyone) or at least that role. */
export type Access = "public" | Role;

/** How a session was made: the only way today is the admin token. */
export type SessionCredential = "admin_token";

export type Principal =
  | { kind: "admin_token"; role: Role }
  | { kind: "session"; role: Role; sessionId: string; credential: SessionCredential; userId: string | null };

const RANK: Record<Role, number> = { viewer: 1, editor: 2, admin: 3 };

/** Whether `principal` (null: no credentials) may use something that needs `access`. */
export function allows(principal: Principal | null, access: Access): boolean {
  if (access === "public") return true;
  return principal !== null && RANK[principal.role] >= RANK[access];
}
