import { firstValue } from "./header-value";

/**
 * "https" when the browser reached us over TLS: the socket's own, or a proxy's X-Forwarded-Proto
 * (first hop). Honoured from anyone: it only ever makes the server stricter (a Secure cookie,
 * an https Origin expected), and a browser cannot send it cross-site without a preflight.
 */
export function requestProtocol(forwardedProto: string | string[] | null | undefined, encrypted: boolean): "http" | "https" {
  const first = firstValue(forwardedProto)?.split(",")[0]?.trim().toLowerCase();
  return encrypted || first === "https" ? "https" : "http";
}

/** Whether the session cookie must be Secure: reached over https, or PUBLIC_URL says people use https. */
export function secureCookie(protocol: "http" | "https", publicUrl: string | undefined): boolean {
  return protocol === "https" || Boolean(publicUrl?.startsWith("https:"));
}

/** secureCookie for a route handler's Request. */
export function requestIsHttps(req: Request, config: { publicUrl?: string }): boolean {
  const protocol = requestProtocol(req.headers.get("x-forwarded-proto"), new URL(req.url).protocol === "https:");
  return secureCookie(protocol, config.publicUrl);
}
