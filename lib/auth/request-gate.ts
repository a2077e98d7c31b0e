import type { Authentication } from "./authenticate";
import { presentedCredentials, type CredentialSource } from "./credentials";
import { originAllowed, SAFE_METHODS } from "./origin-check";
import type { Principal } from "./principal";
import { statusOf } from "../api/error-status";
import type { ApiErrorCode } from "../api/errors";
import { firstValue } from "../http/header-value";

/**
 * The front door's decision on a request, before Next.js or Socket.IO see it. It is the first
 * line, not the only one: route handlers, pages and the Socket.IO server authenticate again
 * themselves (lib/api/handler.ts, lib/auth/page-access.ts, lib/live/socket-server.ts).
 */
export type GateDecision =
  | { action: "pass"; area: RequestArea; principal: Principal | null }
  | { action: "login" } // a page without a session: redirect to /login
  | {
      action: "deny";
      status: 400 | 401 | 403 | 404 | 405 | 429;
      code: GateDenial;
      message: string;
      retryAfterSeconds?: number;
      allow?: string;
      /** A wrong token: counted against the client's address. */
      tokenFailure?: boolean;
    };

/** Why the front door refuses a request (statuses in lib/api/error-status.ts). */
export type GateDenial = Extract<ApiErrorCode, "forbidden_host" | "bad_request" | "not_found" | "method_not_allowed" | "forbidden_origin" | "too_many_attempts" | "unauthorized">;

/**
 * api: /api/*; socket: the Socket.IO endpoint; static: Next's build assets; metrics: GET /metrics
 * (Prometheus; the admin or METRICS_TOKEN); page: everything else.
 */
export type RequestArea = "api" | "socket" | "static" | "metrics" | "page";

export interface GateRequest {
  method: string;
  /** Canonical (lib/http/request-target.ts): the one path the gate, the socket dispatch and Next read. */
  pathname: string;
  search: string;
  headers: CredentialSource & Record<string, string | string[] | undefined>;
  protocol: "http" | "https";
}

export interface GateDeps {
  hostAllowed(host: string | undefined): boolean;
  allowedOrigins: readonly string[];
  /** Seconds this client must wait before it may present a token again; 0 when it may. */
  tokenRetryAfter(): number;
  authenticate(): Promise<Authentication>;
  /** Development mode: Next's dev endpoints (hot reload) are pages that need a session. */
  dev?: boolean;
  /** Whether a bearer token is METRICS_TOKEN (constant time); it opens /metrics and nothing else. */
  isMetricsToken?(token: string): boolean;
}

export const SOCKET_PATH = "/socket.io/";
export const METRICS_PATH = "/metrics";
const PUBLIC_API = new Set(["/api/health", "/api/health/live", "/api/health/ready", "/api/auth/login", "/api/auth/oidc/start", "/api/auth/oidc/callback"]);
/** A push webhook carries no session or token: its route checks the shared secret itself (POST only). */
const WEBHOOK_PATH = "/api/git/webhook";
const PUBLIC_PAGES = new Set(["/login", "/icon.svg", "/favicon.ico"]);
const READ_METHODS = new Set(["GET", "HEAD"]);

/**
 * Request headers that only Next.js itself (or a platform in front of it) sets: middleware
 * sub-requests, data and matched-path hints, resume state, prerender revalidation, and server
 * actions, which this app does not have. A browser never sends them; their only use from
 * outside is to make Next take another path than the one the gate saw. (Next's dev client tags
 * its requests with x-nextjs-request-id and x-nextjs-html-request-id: debug ids, let through.)
 */
const NEXT_INTERNAL_HEADER =
  /^(next-action|next-resume|x-middleware-.*|x-nextjs-(?!request-id$|html-request-id$).*|x-invoke-.*|x-matched-path|x-now-route-matches|x-next-.*|x-prerender-revalidate.*)$/;

const ROUTER_HEADER = /^(rsc|next-router-.*|next-url|next-hmr-refresh)$/;

export function isPublicPath(pathname: string): boolean {
  return PUBLIC_API.has(pathname) || PUBLIC_PAGES.has(pathname) || pathname.startsWith("/_next/static/");
}

/** A request that needs no credentials: a public path, or a push webhook (which proves itself by its secret). */
export function isPublicRequest(pathname: string, method: string): boolean {
  return isPublicPath(pathname) || (method === "POST" && pathname === WEBHOOK_PATH);
}

export function requestArea(pathname: string, dev = false): RequestArea | null {
  if (pathname === "/api" || pathname.startsWith("/api/")) return "api";
  if (pathname === SOCKET_PATH) return "socket";
  if (pathname === METRICS_PATH) return "metrics";
  if (pathname.startsWith("/_next/static/")) return "static";
  // The rest of /_next (the image optimizer, which re-enters the router with the caller's
  // method; data routes) is refused; only dev mode's hot reload (a WebSocket) lives there.
  if (pathname.startsWith("/_next/")) return dev && /^\/_next\/(webpack-)?hmr\b/.test(pathname) ? "page" : null;
  return "page";
}

export async function gateRequest(req: GateRequest, deps: GateDeps): Promise<GateDecision> {
  const method = req.method.toUpperCase();
  const host = firstValue(req.headers.host);
  if (!deps.hostAllowed(host)) {
    return deny("forbidden_host", "This server does not answer to that Host name (see ALLOWED_HOSTS)");
  }
  const internal = Object.keys(req.headers).find((name) => NEXT_INTERNAL_HEADER.test(name.toLowerCase()));
  if (internal) return deny("bad_request", `The ${internal} request header is internal to Next.js`);

  const area = requestArea(req.pathname, deps.dev);
  if (area === null) return deny("not_found", "Not found");
  // The App Router's navigation headers ask for a page's React data; elsewhere they only make
  // Next answer differently (a redirect to a cache-busting URL) than the route would.
  const routerHeader = area !== "page" && Object.keys(req.headers).find((name) => ROUTER_HEADER.test(name.toLowerCase()));
  if (routerHeader) return deny("bad_request", `The ${routerHeader} request header is for pages`);
  if ((area === "page" || area === "static") && !READ_METHODS.has(method)) {
    return { ...deny("method_not_allowed", `${method} is not accepted here`), allow: "GET, HEAD" };
  }
  if (area === "metrics" && !READ_METHODS.has(method)) {
    return { ...deny("method_not_allowed", `${method} is not accepted here`), allow: "GET, HEAD" };
  }
  if (area === "socket" && method !== "GET" && method !== "POST") {
    return { ...deny("method_not_allowed", `${method} is not accepted here`), allow: "GET, POST" };
  }
  const facts = { origin: firstValue(req.headers.origin), host, secFetchSite: firstValue(req.headers["sec-fetch-site"]), protocol: req.protocol };
  if ((!SAFE_METHODS.has(method) || area === "socket") && !originAllowed(facts, deps.allowedOrigins)) {
    return deny("forbidden_origin", "Cross-origin request refused");
  }

  const bearer = presentedCredentials(req.headers).bearer !== null;
  const tryingToken =
    bearer || (req.pathname === "/api/auth/login" && method === "POST") || (req.pathname === "/login" && new URLSearchParams(req.search).has("token"));
  if (tryingToken) {
    const wait = deps.tokenRetryAfter();
    if (wait > 0) return { ...deny("too_many_attempts", `Too many failed attempts from your address; try again in ${wait} s`), retryAfterSeconds: wait };
  }

  if (area === "metrics") return gateMetrics(req, deps);

  const open = isPublicRequest(req.pathname, method);
  // A public path needs no credentials, but a token presented there is checked (and a wrong one
  // counted) all the same: /api/health answers more to the right one, which would otherwise
  // make it a place to guess tokens without a limit.
  if (open && !bearer) return { action: "pass", area, principal: null };
  const authentication = await deps.authenticate();
  if (authentication.outcome === "authenticated") return { action: "pass", area, principal: authentication.principal };
  const tokenFailure = authentication.outcome === "refused" && authentication.credential === "token";
  if (open && !tokenFailure) return { action: "pass", area, principal: null };
  if (area === "page" && !tokenFailure) return { action: "login" };
  return { ...deny("unauthorized", "Missing or invalid credentials"), tokenFailure };
}

/**
 * /metrics takes METRICS_TOKEN (a scraper's credential that opens nothing else) or an admin's
 * credentials; never a login redirect (a scraper reads the 401).
 */
async function gateMetrics(req: GateRequest, deps: GateDeps): Promise<GateDecision> {
  const { bearer } = presentedCredentials(req.headers);
  if (bearer !== null && deps.isMetricsToken?.(bearer)) return { action: "pass", area: "metrics", principal: null };
  const authentication = await deps.authenticate();
  if (authentication.outcome === "authenticated") {
    if (authentication.principal.role === "admin") return { action: "pass", area: "metrics", principal: authentication.principal };
    return deny("unauthorized", "Metrics need the admin token, an admin's session or METRICS_TOKEN");
  }
  const tokenFailure = authentication.outcome === "refused" && authentication.credential === "token";
  return { ...deny("unauthorized", "Metrics need the admin token, an admin's session or METRICS_TOKEN"), tokenFailure };
}

function deny(code: GateDenial, message: string): Extract<GateDecision, { action: "deny" }> {
  return { action: "deny", status: statusOf(code) as 400 | 401 | 403 | 404 | 405 | 429, code, message };
}
