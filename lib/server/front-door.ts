import { STATUS_CODES, type IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { Authenticator } from "../auth/authenticate";
import type { AuthProxy } from "../auth/auth-proxy";
import type { FailureLimiter } from "../auth/failure-limiter";
import { sessionCookie } from "../auth/credentials";
import type { Principal } from "../auth/principal";
import { gateRequest, requestArea, SOCKET_PATH, type GateDecision, type RequestArea } from "../auth/request-gate";
import { sameOriginPath, SERVER_SIDE_ORIGIN } from "../auth/safe-redirect";
import type { SessionStore } from "../auth/session-store";
import { isDatabaseUnavailable } from "../db/database-errors";
import type { HostAllowlist } from "../http/host-allowlist";
import { requestProtocol, secureCookie } from "../http/request-protocol";
import { canonicalTarget, type RequestTarget } from "../http/request-target";
import { contentSecurityPolicy, newNonce, SECURITY_HEADERS } from "../http/security-headers";
import type { Logger } from "../log";
import { routeLabel } from "../http/route-label";
import { errorBodyOf } from "../api/error-status";
import type { ApiErrorCode } from "../api/errors";
import { jsonApiErrors } from "./json-api-errors";

export interface FrontDoorDeps {
  dev: boolean;
  allowedOrigins: readonly string[];
  publicUrl: string | undefined;
  hosts: HostAllowlist;
  clientAddress(req: IncomingMessage): string;
  auth: Authenticator;
  sessions: Pick<SessionStore, "create">;
  limiter: FailureLimiter;
  /** The trusted auth proxy, when AUTH_PROXY_HEADER is set: its header is vouched for or dropped here. */
  proxy?: AuthProxy | null;
  log: Logger;
  socket: { handleRequest(req: IncomingMessage, res: ServerResponse): void; handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void };
  next: { handle(req: IncomingMessage, res: ServerResponse): Promise<void>; upgrade: ((req: IncomingMessage, socket: Duplex, head: Buffer) => void) | null };
  shuttingDown(): boolean;
  /** Whether a bearer token is METRICS_TOKEN (see request-gate.ts). */
  isMetricsToken?(token: string): boolean;
  /** Answers GET /metrics once the gate let it through. */
  metrics?(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Every answered request (logs, metrics): never a header, a cookie or a query string. */
  onRequest?(entry: RequestEntry): void;
}

/** What is known of an answered request. */
export interface RequestEntry {
  method: string;
  /** The route template (lib/http/route-label.ts), never the raw path. */
  route: string;
  area: RequestArea | null;
  status: number;
  durationMs: number;
  /** Who it acted as: null when anonymous (or not past the gate). */
  principal: Principal | null;
  /** The response was cut before it finished. */
  aborted: boolean;
  /** The gate let it through (to Next.js, Socket.IO or /metrics); false: the front door answered it. */
  passed: boolean;
}

export interface FrontDoor {
  handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void>;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void>;
  /** The Socket.IO server's own check of a handshake: the gate's rules for the socket endpoint. */
  admitSocket(req: IncomingMessage): Promise<Principal | null>;
}

/**
 * The one way into the server: security headers on every answer, one canonical path for every
 * reader, the gate (Host allowlist, Next.js internals, origin, rate limit, credentials), then
 * Socket.IO or Next.js.
 */
export function createFrontDoor(deps: FrontDoorDeps): FrontDoor {
  const basePolicy = contentSecurityPolicy({ dev: deps.dev });
  const protocolOf = (req: IncomingMessage) => requestProtocol(req.headers["x-forwarded-proto"], (req.socket as { encrypted?: boolean }).encrypted === true);
  const decide = (req: IncomingMessage, target: RequestTarget, address: string | null): Promise<GateDecision> =>
    gateRequest(
      { method: req.method ?? "GET", pathname: target.pathname, search: target.search, headers: req.headers, protocol: protocolOf(req) },
      {
        hostAllowed: (host) => deps.hosts.allows(host),
        allowedOrigins: deps.allowedOrigins,
        tokenRetryAfter: () => (address === null ? 0 : deps.limiter.retryAfter(address)),
        authenticate: () => deps.auth.authenticate(req.headers),
        dev: deps.dev,
        isMetricsToken: deps.isMetricsToken,
      },
    );

  /** Counts a wrong token against the address; logged as a warning, never with the token. */
  const tokenFailed = (address: string, where: string) => {
    const wait = deps.limiter.fail(address);
    deps.log.warn(`wrong admin token from ${address} (${where})${wait > 0 ? `; refusing tokens from that address for ${wait} s` : ""}`);
  };

  const decideOrAnswer = async (req: IncomingMessage, target: RequestTarget, address: string, answer: (code: ApiErrorCode, message: string, headers?: Record<string, string>) => void) => {
    let decision: GateDecision;
    try {
      decision = await decide(req, target, address);
    } catch (error) {
      if (!isDatabaseUnavailable(error)) deps.log.error(`authentication failed: ${(error as Error).message}`);
      answer("database_unavailable", "Sessions cannot be checked right now (the database is unavailable); try again shortly.");
      return null;
    }
    if (decision.action !== "deny") return decision;
    if (decision.tokenFailure) tokenFailed(address, `${req.method} ${target.pathname}`);
    const headers: Record<string, string> = {};
    if (decision.retryAfterSeconds) headers["retry-after"] = String(decision.retryAfterSeconds);
    if (decision.allow) headers.allow = decision.allow;
    answer(decision.code, decision.message, headers);
    return null;
  };

  const loginFromUrl = async (req: IncomingMessage, res: ServerResponse, target: RequestTarget, address: string) => {
    const params = new URLSearchParams(target.search);
    if (!deps.auth.isAdminToken(params.get("token") ?? "")) {
      tokenFailed(address, "login link");
      res.writeHead(303, { location: "/login?error=invalid_token" }).end();
      return;
    }
    const session = await deps.sessions.create({ credential: "admin_token" });
    const secure = secureCookie(protocolOf(req), deps.publicUrl);
    res.writeHead(303, { "set-cookie": sessionCookie(session.secret, { secure, maxAgeSeconds: session.maxAgeSeconds }), location: sameOriginPath(params.get("next"), SERVER_SIDE_ORIGIN) }).end();
  };

  // A failure on the way in (a session not created: the database went away) is answered with
  // an error, never left to crash the process as an unhandled rejection.
  const failed = (what: string, error: unknown) => {
    if (!isDatabaseUnavailable(error)) deps.log.error(`${what} failed: ${(error as Error).message}`);
  };

  const door: FrontDoor = {
    async handleRequest(req, res) {
      const seen: Seen = { area: null, pathname: "", principal: null, passed: false };
      if (deps.onRequest) {
        const started = process.hrtime.bigint();
        res.once("close", () => {
          const status = res.statusCode;
          deps.onRequest!({
            method: req.method ?? "GET",
            route: seen.pathname ? routeLabel(seen.pathname, seen.area, status) : "unmatched",
            area: seen.area,
            status,
            durationMs: Number(process.hrtime.bigint() - started) / 1e6,
            principal: seen.principal,
            aborted: !res.writableFinished,
            passed: seen.passed,
          });
        });
      }
      try {
        await admitRequest(req, res, seen);
      } catch (error) {
        failed("request", error);
        if (res.headersSent) res.destroy();
        else if (isDatabaseUnavailable(error)) sendError(res, "database_unavailable", "The database is unavailable; try again shortly.");
        else sendError(res, "internal_error", "Internal server error");
      }
    },
    async handleUpgrade(req, socket, head) {
      socket.on("error", () => undefined); // a client gone mid-handshake is not our error
      try {
        await admitUpgrade(req, socket, head);
      } catch (error) {
        failed("upgrade", error);
        socket.destroy();
      }
    },
    async admitSocket(req) {
      const decision = await decide(req, { pathname: SOCKET_PATH, search: "" }, null);
      return decision.action === "pass" ? decision.principal : null;
    },
  };
  return door;

  async function admitRequest(req: IncomingMessage, res: ServerResponse, seen: Seen): Promise<void> {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    res.setHeader("content-security-policy", basePolicy);
    // Next takes the script nonce from the request's own CSP header: only ours may be there.
    delete req.headers["content-security-policy"];
    delete req.headers["content-security-policy-report-only"];
    if (deps.shuttingDown()) {
      // A keep-alive client may still send on its open connection: refuse new work so that
      // nothing starts after the last sync the shutdown waits for.
      res.setHeader("connection", "close");
      return sendError(res, "shutting_down", "The server is shutting down; try again in a moment");
    }
    deps.proxy?.vouch(req);
    const target = canonicalTarget(req.url);
    if (!target) return sendError(res, "bad_request", "The request path is not in its plain form (no //, \\, ;, dot segments or needless %-escapes)");
    seen.pathname = target.pathname;
    seen.area = requestArea(target.pathname, deps.dev);
    const address = deps.clientAddress(req);
    const decision = await decideOrAnswer(req, target, address, (code, message, headers) => sendError(res, code, message, headers));
    if (!decision) return;
    if (decision.action === "pass") {
      seen.principal = decision.principal;
      seen.passed = true;
    }
    if (decision.action === "login") {
      res.writeHead(303, { location: `/login?next=${encodeURIComponent(target.pathname + target.search)}` }).end();
      return;
    }
    if (decision.area === "page") {
      const policy = contentSecurityPolicy({ nonce: newNonce(), dev: deps.dev });
      res.setHeader("content-security-policy", policy);
      req.headers["content-security-policy"] = policy;
    }
    if (target.pathname === "/login" && new URLSearchParams(target.search).has("token")) return loginFromUrl(req, res, target, address);
    if (decision.area === "socket") return deps.socket.handleRequest(req, res);
    if (decision.area === "metrics") {
      if (!deps.metrics) return sendError(res, "not_found", "Not found");
      return deps.metrics(req, res);
    }
    if (target.pathname === "/api/auth/login") {
      res.once("finish", () => {
        if (res.statusCode === 401) tokenFailed(address, "login form");
      });
    }
    if (decision.area === "api") jsonApiErrors(res);
    await deps.next.handle(req, res).catch((error) => {
      deps.log.error(`request failed: ${(error as Error).message}`);
      if (!res.headersSent) sendError(res, "internal_error", "Internal server error");
    });
  }

  async function admitUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const refuse = (code: ApiErrorCode, message: string, extra: Record<string, string> = {}) => {
      const { status, headers } = errorBodyOf(code, message);
      const lines = Object.entries({ ...SECURITY_HEADERS, ...headers, ...extra, "content-type": "text/plain; charset=utf-8", connection: "close" }).map(([k, v]) => `${k}: ${v}`);
      socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}\r\n${lines.join("\r\n")}\r\n\r\n${message}`);
    };
    if (deps.shuttingDown()) return refuse("shutting_down", "The server is shutting down");
    deps.proxy?.vouch(req);
    const target = canonicalTarget(req.url);
    if (!target) return refuse("bad_request", "The request path is not in its plain form");
    const address = deps.clientAddress(req);
    const decision = await decideOrAnswer(req, target, address, refuse);
    if (!decision) return;
    if (decision.action === "login") return refuse("unauthorized", "Missing or invalid credentials");
    if (decision.area === "socket") return deps.socket.handleUpgrade(req, socket, head);
    if (deps.next.upgrade && decision.area === "page") return deps.next.upgrade(req, socket, head);
    socket.destroy();
  }
}


/** What the gate learnt of a request, for its log line. */
interface Seen {
  area: RequestArea | null;
  pathname: string;
  principal: Principal | null;
  passed: boolean;
}

/** An error answered by the front door itself, with the status and body every error gets (lib/api/error-status.ts). */
export function sendError(res: ServerResponse, code: ApiErrorCode, message: string, extra: Record<string, string> = {}) {
  const { status, body, headers } = errorBodyOf(code, message);
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers, ...extra }).end(JSON.stringify(body));
}
