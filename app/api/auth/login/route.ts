// POST /api/auth/login – exchange the admin token for a server-side session (httpOnly cookie)
import { NextResponse } from "next/server";
import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { parseBody, withApi } from "@/lib/api/handler";
import { sessionCookie } from "@/lib/auth/credentials";
import { requestIsHttps } from "@/lib/http/request-protocol";

export const dynamic = "force-dynamic";

const loginSchema = z.strictObject({ token: z.string().min(1).max(1024) });

// Failed attempts are counted per client address by the front door, which sees this answer's 401.
export const POST = withApi({ access: "public" }, async ({ req, services }) => {
  const { token } = await parseBody(req, loginSchema);
  if (!services.auth.isAdminToken(token)) throw new ApiError("invalid_token", "That token is not valid");
  const session = await services.sessions.create({ credential: "admin_token" });
  const res = NextResponse.json({ ok: true });
  res.headers.append("set-cookie", sessionCookie(session.secret, { secure: requestIsHttps(req, services.config), maxAgeSeconds: session.maxAgeSeconds }));
  return res;
});
