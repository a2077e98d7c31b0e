// POST /api/auth/logout – clear the session cookie
import { NextResponse } from "next/server";
import { withApi } from "@/lib/api/handler";
import { clearedSessionCookie } from "@/lib/auth/credentials";

export const dynamic = "force-dynamic";

export const POST = withApi(async ({ req }) => {
  const res = NextResponse.json({ ok: true });
  res.headers.append("set-cookie", clearedSessionCookie(new URL(req.url).protocol === "https:"));
  return res;
});
