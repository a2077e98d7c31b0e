// POST /api/auth/logout – end the session (its row is deleted, so the cookie is void everywhere) and clear the cookie
import { NextResponse } from "next/server";
import { withApi } from "@/lib/api/handler";
import { clearedSessionCookie } from "@/lib/auth/credentials";
import { requestIsHttps } from "@/lib/http/request-protocol";

export const dynamic = "force-dynamic";

export const POST = withApi({ access: "viewer" }, async ({ req, services, principal }) => {
  if (principal.kind === "session") await services.sessions.revoke(principal.sessionId);
  const res = NextResponse.json({ ok: true });
  res.headers.append("set-cookie", clearedSessionCookie(requestIsHttps(req, services.config)));
  return res;
});
