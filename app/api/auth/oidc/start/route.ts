// GET /api/auth/oidc/start – sign in with OpenID Connect: redirect to the provider (?next= where to go afterwards)
import { NextResponse } from "next/server";
import { ApiError } from "@/lib/api/errors";
import { withApi } from "@/lib/api/handler";
import { oidcRedirectUri } from "@/lib/auth/oidc-redirect";
import { sameOriginPath, SERVER_SIDE_ORIGIN } from "@/lib/auth/safe-redirect";
import { requestIsHttps } from "@/lib/http/request-protocol";

export const dynamic = "force-dynamic";

export const GET = withApi({ access: "public" }, async ({ req, services, searchParams }) => {
  if (!services.oidc) throw new ApiError("not_found", "OpenID Connect sign-in is not configured (OIDC_ISSUER)");
  const next = sameOriginPath(searchParams.get("next"), SERVER_SIDE_ORIGIN);
  const secure = requestIsHttps(req, services.config);
  const { url, cookie } = await services.oidc.start(oidcRedirectUri(req, services.config), next, secure);
  const res = new NextResponse(null, { status: 303, headers: { location: url, "cache-control": "no-store" } });
  res.headers.append("set-cookie", cookie);
  return res;
});
