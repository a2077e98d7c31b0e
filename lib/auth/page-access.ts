import "server-only";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { getServices } from "../core/services";
import { allows, type Principal, type Role } from "./principal";

/**
 * Every dashboard page and its layout call this first: a page renders only for a caller the
 * server authenticates itself, whatever way the request reached Next (the front door sends
 * people without a session to the login page before that; this is the second line).
 */
export async function requirePageAccess(role: Role = "viewer"): Promise<Principal> {
  const h = await headers();
  const authentication = await getServices().auth.authenticate(Object.fromEntries(h));
  const principal = authentication.outcome === "authenticated" ? authentication.principal : null;
  if (!principal || !allows(principal, role)) redirect("/login");
  return principal;
}
