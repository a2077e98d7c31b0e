import { requestIsHttps } from "../http/request-protocol";

/** The callback the provider sends people back to: on PUBLIC_URL, else on the host the request came to. */
export function oidcRedirectUri(req: Request, config: { publicUrl?: string }): string {
  const base = config.publicUrl ?? `${requestIsHttps(req, config) ? "https" : "http"}://${req.headers.get("host")}`;
  return `${base}/api/auth/oidc/callback`;
}
