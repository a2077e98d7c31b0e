export interface OriginFacts {
  origin?: string | null;
  host?: string | null;
  secFetchSite?: string | null;
  /** "https" when served over TLS (directly or behind a proxy that says so). */
  protocol: "http" | "https";
}

export const SAFE_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Mutations (and the Socket.IO handshake, which carries the cookie and no CORS protects) must
 * come from our own origin. Browsers always send Origin on cross-site POST/PUT/PATCH/DELETE;
 * tools like curl send none, and a Bearer token proves intent there. Only a Host on the
 * allowlist gets this far, so an attacker's name pointed at us (DNS rebinding) cannot pass as
 * "our own origin".
 */
export function originAllowed(facts: OriginFacts, allowedOrigins: readonly string[]): boolean {
  const { origin } = facts;
  if (!origin) return facts.secFetchSite !== "cross-site";
  if (origin === "null") return false;
  if (allowedOrigins.includes(origin)) return true;
  try {
    const url = new URL(origin);
    return url.host === facts.host && url.protocol === `${facts.protocol}:`;
  } catch {
    return false;
  }
}
