import { createHmac, timingSafeEqual } from "node:crypto";
import { firstValue } from "../http/header-value";

export const SESSION_COOKIE = "schedule_sync_session";

/** Constant-time comparison that does not leak the length through an early exit. */
export function safeEqual(given: string, expected: string): boolean {
  const a = createHmac("sha256", "compare").update(given).digest();
  const b = createHmac("sha256", "compare").update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq < 1) continue;
    const name = part.slice(0, eq).trim();
    const raw = part.slice(eq + 1).trim();
    try {
      cookies.set(name, decodeURIComponent(raw));
    } catch {
      cookies.set(name, raw);
    }
  }
  return cookies;
}

/** A request's headers (lower-case names), as far as credentials go: Authorization, Cookie, the auth proxy's. */
export interface CredentialSource {
  authorization?: string | string[] | null;
  cookie?: string | string[] | null;
  [header: string]: string | string[] | null | undefined;
}

/** What a request presents; null where it presents nothing. */
export interface PresentedCredentials {
  /** The token of an `Authorization: Bearer …` header ("" for a Bearer header without one). */
  bearer: string | null;
  /** The session cookie's secret. */
  session: string | null;
}

/**
 * Reads the credentials off a request. Only the Bearer scheme is ours: another scheme (a proxy's
 * `Basic …` in front of the app) is not a credential for this server and must not hide the
 * session cookie that comes with it.
 */
export function presentedCredentials(headers: CredentialSource): PresentedCredentials {
  const authorization = firstValue(headers.authorization)?.trim() ?? "";
  const [scheme, ...rest] = authorization.split(/\s+/);
  const bearer = scheme?.toLowerCase() === "bearer" ? rest.join(" ") : null;
  const session = parseCookies(firstValue(headers.cookie)).get(SESSION_COOKIE) || null;
  return { bearer, session };
}

/** The session cookie: httpOnly, SameSite=Strict, kept by the browser no longer than the session can live. */
export function sessionCookie(secret: string, { secure, maxAgeSeconds }: { secure: boolean; maxAgeSeconds: number }): string {
  return cookie(secret, Math.max(1, Math.floor(maxAgeSeconds)), secure);
}

export function clearedSessionCookie(secure: boolean): string {
  return cookie("", 0, secure);
}

function cookie(value: string, maxAge: number, secure: boolean): string {
  const attributes = ["Path=/", "HttpOnly", "SameSite=Strict", `Max-Age=${maxAge}`];
  if (secure) attributes.push("Secure");
  return `${SESSION_COOKIE}=${value}; ${attributes.join("; ")}`;
}
