import type { Principal, Role, SessionCredential } from "./principal";

export interface PrincipalView {
  role: Role;
  /** The user's or token's name; null for the admin token. */
  name: string | null;
  kind: "admin_token" | "user" | "token";
  /** How a person signed in. */
  via: SessionCredential | "bearer" | null;
}

/** A principal as the UI and `GET /api/auth/me` show it: no ids of sessions. */
export function describePrincipal(principal: Principal): PrincipalView {
  switch (principal.kind) {
    case "admin_token":
      return { role: principal.role, name: null, kind: "admin_token", via: "bearer" };
    case "session":
      return principal.username
        ? { role: principal.role, name: principal.username, kind: "user", via: principal.credential }
        : { role: principal.role, name: null, kind: "admin_token", via: "admin_token" };
    case "token":
      return { role: principal.role, name: principal.name, kind: "token", via: "bearer" };
    case "proxy":
      return { role: principal.role, name: principal.username, kind: "user", via: "proxy" };
  }
}
