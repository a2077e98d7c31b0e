import type { Principal } from "../auth/principal";
import type { Logger } from "../log";
import type { RequestEntry } from "../server/front-door";
import type { Metrics } from "./metrics";

/** Who a request acted as, for a log line: a user id, the admin token, or anonymous; never a credential. */
export function actorOf(principal: Principal | null): { actor: string; role?: string } {
  if (!principal) return { actor: "anonymous" };
  if (principal.kind === "admin_token") return { actor: "admin_token", role: principal.role };
  return { actor: principal.userId ? `user:${principal.userId}` : `session:${principal.credential}`, role: principal.role };
}

/**
 * One log line and one metric observation per answered request: method, route template,
 * status, duration and actor. Socket.IO polls and build assets log at debug (a page load is
 * dozens of them); answers of 500 and above at warn.
 */
export function createRequestObserver(deps: { log: Logger; metrics?: Metrics }): (entry: RequestEntry) => void {
  const { log, metrics } = deps;
  return (entry) => {
    // Anyone can send a path the gate refuses: as a label, those are one value, never the path.
    metrics?.observeRequest(entry.method, entry.passed ? entry.route : "denied", entry.status, entry.durationMs / 1000);
    const level = entry.status >= 500 ? "warn" : entry.area === "socket" || entry.area === "static" ? "debug" : "info";
    if (!log.isLevelEnabled(level)) return;
    log[level](
      {
        method: entry.method,
        route: entry.route,
        status: entry.status,
        durationMs: Math.round(entry.durationMs * 100) / 100,
        ...actorOf(entry.principal),
        ...(entry.aborted ? { aborted: true } : {}),
      },
      "request",
    );
  };
}
