import { actorOf, type Principal } from "../auth/principal";
import type { Logger } from "../log";
import type { RequestEntry } from "../server/front-door";
import type { Metrics } from "./metrics";

/** Who a request acted as, for a log line ("user:alice", "token:ci", "admin_token", "anonymous"); never a credential. */
export function logActor(principal: Principal | null): { actor: string; role?: string } {
  if (!principal) return { actor: "anonymous" };
  const { kind, name } = actorOf(principal);
  return { actor: name ? `${kind}:${name}` : kind, role: principal.role };
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
        ...logActor(entry.principal),
        ...(entry.aborted ? { aborted: true } : {}),
      },
      "request",
    );
  };
}
