import { createHmac, timingSafeEqual } from "node:crypto";

export const SESSION_COOKIE = "schedule_sync_session";

/** The session cookie's value is derived from the token, so it is never the token itself. */
export function sessionValue(token: string): string {
  return createHmac("sha256", token).update("schedule-sync session v1").digest("base64url");
}

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

export interface CredentialSource {
  authorization?: string | string[];
  cookie?: string | string[];
}

/** True when the request carries the admin token as a Bearer header or the session cookie. */
export function hasValidCredentials(headers: CredentialSource, token: string): boolean {
  const authorization = first(headers.authorization);
  if (authorization) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    return Boolean(match && safeEqual(match[1], token));
  }
  const session = parseCookies(first(headers.cookie)).get(SESSION_COOKIE);
  return Boolean(session && safeEqual(session, sessionValue(token)));
}

export function sessionCookie(token: string, secure: boolean): string {
  const attributes = ["Path=/", "HttpOnly", "SameSite=Strict", "Max-Age=2592000"];
  if (secure) attributes.push("Secure");
  return `${SESSION_COOKIE}=${sessionValue(token)}; ${attributes.join("; ")}`;
}

export function clearedSessionCookie(secure: boolean): string {
  const attributes = ["Path=/", "HttpOnly", "SameSite=Strict", "Max-Age=0"];
  if (secure) attributes.push("Secure");
  return `${SESSION_COOKIE}=; ${attributes.join("; ")}`;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
