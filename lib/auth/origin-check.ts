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

/** X-Forwarded-Proto's first hop, or the socket's own TLS. */
export function requestProtocol(forwardedProto: string | string[] | null | undefined, encrypted: boolean): "http" | "https" {
  const first = (Array.isArray(forwardedProto) ? forwardedProto[0] : forwardedProto)?.split(",")[0]?.trim().toLowerCase();
  return encrypted || first === "https" ? "https" : "http";
}

/** Whether the browser reached us over https (PUBLIC_URL says so, or the proxy does): the cookie is then Secure. */
export function requestIsHttps(req: Request, config: { publicUrl?: string }): boolean {
  return (
    new URL(req.url).protocol === "https:" ||
    requestProtocol(req.headers.get("x-forwarded-proto"), false) === "https" ||
    Boolean(config.publicUrl?.startsWith("https:"))
  );
}
