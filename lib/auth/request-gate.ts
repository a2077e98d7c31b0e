import { hasValidCredentials, type CredentialSource } from "./credentials";

/**
 * Decides, before Next.js sees a request, whether it may pass. One gate for every
 * route, so a route added later cannot forget its auth check.
 */
export type GateDecision =
  | { action: "pass" }
  | { action: "login" } // a page without a session: redirect to /login
  | { action: "deny"; status: 401 | 403; code: "unauthorized" | "forbidden_origin"; message: string };

export interface GateRequest {
  method: string;
  pathname: string;
  headers: CredentialSource & { origin?: string; host?: string; "sec-fetch-site"?: string };
  /** "https" when served over TLS (directly or via a trusted proxy header). */
  protocol: "http" | "https";
}

const PUBLIC_API = new Set(["/api/health", "/api/auth/login"]);
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function isPublicPath(pathname: string): boolean {
  return (
    PUBLIC_API.has(pathname) ||
    pathname === "/login" ||
    pathname.startsWith("/_next/") ||
    pathname === "/favicon.ico" ||
    pathname === "/icon.svg"
  );
}

export function gateRequest(req: GateRequest, token: string, allowedOrigins: readonly string[] = []): GateDecision {
  const mutation = !SAFE_METHODS.has(req.method.toUpperCase());
  // The Socket.IO handshake (a GET or a WebSocket upgrade) carries the session cookie and no
  // CORS protects it: a page of another origin must not open it (cross-site WebSocket hijacking).
  const socket = req.pathname.startsWith("/socket.io");
  if ((mutation || socket) && !originAllowed(req, allowedOrigins)) {
    return { action: "deny", status: 403, code: "forbidden_origin", message: "Cross-origin request refused" };
  }
  if (isPublicPath(req.pathname)) return { action: "pass" };
  if (hasValidCredentials(req.headers, token)) return { action: "pass" };
  if (req.pathname.startsWith("/api/") || req.pathname.startsWith("/socket.io")) {
    return { action: "deny", status: 401, code: "unauthorized", message: "Missing or invalid admin token" };
  }
  return { action: "login" };
}

/**
 * Mutations must come from our own origin. Browsers always send Origin on cross-site
 * POST/PUT/PATCH/DELETE; tools like curl send none, and a Bearer token proves intent there.
 */
export function originAllowed(req: GateRequest, allowedOrigins: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (!origin) return req.headers["sec-fetch-site"] !== "cross-site";
  if (origin === "null") return false;
  if (allowedOrigins.includes(origin)) return true;
  try {
    const url = new URL(origin);
    return url.host === req.headers.host && url.protocol === `${req.protocol}:`;
  } catch {
    return false;
  }
}
