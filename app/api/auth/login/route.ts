// POST /api/auth/login – exchange the admin token for the httpOnly session cookie
import { NextResponse } from "next/server";
import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { parseBody, withApi } from "@/lib/api/handler";
import { safeEqual, sessionCookie } from "@/lib/auth/credentials";

export const dynamic = "force-dynamic";

const loginSchema = z.strictObject({ token: z.string().min(1).max(1024) });

export const POST = withApi(async ({ req, services }) => {
  const { token } = await parseBody(req, loginSchema);
  if (!safeEqual(token, services.adminToken)) throw new ApiError("invalid_token", "That token is not valid");
  const secure = new URL(req.url).protocol === "https:" || req.headers.get("x-forwarded-proto") === "https";
  const res = NextResponse.json({ ok: true });
  res.headers.append("set-cookie", sessionCookie(services.adminToken, secure));
  return res;
});
