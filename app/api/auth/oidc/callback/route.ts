// GET /api/auth/oidc/callback – the provider's answer: check it, find or create the person, start a session
import { NextResponse } from "next/server";
import { ApiError } from "@/lib/api/errors";
import { withApi } from "@/lib/api/handler";
import { sessionCookie } from "@/lib/auth/credentials";
import { pendingNext } from "@/lib/auth/oidc";
import { oidcRedirectUri } from "@/lib/auth/oidc-redirect";
import { sameOriginPath, SERVER_SIDE_ORIGIN } from "@/lib/auth/safe-redirect";
import { requestIsHttps } from "@/lib/http/request-protocol";
import { usernameSchema } from "@/lib/people/people-store";

export const dynamic = "force-dynamic";

export const GET = withApi({ access: "public" }, async ({ req, services }) => {
  if (!services.oidc) throw new ApiError("not_found", "OpenID Connect sign-in is not configured (OIDC_ISSUER)");
  const secure = requestIsHttps(req, services.config);
  // The provider answered on the redirect URI we gave it; openid-client checks the answer against it.
  const callbackUrl = new URL(oidcRedirectUri(req, services.config));
  callbackUrl.search = new URL(req.url).search;
  const cookieHeader = req.headers.get("cookie");
  let identity;
  try {
    identity = await services.oidc.finish(callbackUrl, cookieHeader);
  } catch (error) {
    console.warn(`[auth] OpenID Connect sign-in failed: ${(error as Error).message}`);
    const res = new NextResponse(null, { status: 303, headers: { location: "/login?error=oidc_failed" } });
    res.headers.append("set-cookie", services.oidc.clearedCookie(secure));
    return res;
  }
  const username = usernameSchema.safeParse(identity.username);
  if (!username.success) throw new ApiError("forbidden", `The provider names this person '${identity.username}', which is not a valid username`);
  const user = await services.people.userOnFirstSight({
    username: username.data,
    role: identity.mappedRole ?? services.config.oidc!.defaultRole,
    source: "oidc",
    email: identity.email,
    displayName: identity.displayName,
  });
  // With a role claim, the provider decides the role at every sign-in; without one, an admin does.
  await services.people.recordLogin(user.id, identity.mappedRole ?? undefined);
  const session = await services.sessions.create({ credential: "oidc", userId: user.id });
  const next = sameOriginPath(pendingNext(cookieHeader), SERVER_SIDE_ORIGIN);
  // A page that moves on by itself: the session cookie is SameSite=Strict, which a redirect
  // chain that started at the provider (another site) would not send on its first request.
  const href = next.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const res = new NextResponse(
    `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${href}"><title>Signed in</title><p>Signed in as ${user.username.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)}. <a href="${href}">Continue</a></p>`,
    { status: 200, headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" } },
  );
  res.headers.append("set-cookie", sessionCookie(session.secret, { secure, maxAgeSeconds: session.maxAgeSeconds }));
  res.headers.append("set-cookie", services.oidc.clearedCookie(secure));
  return res;
});
