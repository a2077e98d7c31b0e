// POST /api/auth/login – {token} (the admin token) or {username, password}: a server-side session (httpOnly cookie)
import { NextResponse } from "next/server";
import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { parseBody, withApi } from "@/lib/api/handler";
import { sessionCookie } from "@/lib/auth/credentials";
import { requestIsHttps } from "@/lib/http/request-protocol";
import { PeopleError } from "@/lib/people/people-errors";

export const dynamic = "force-dynamic";

const loginSchema = z.union([
  z.strictObject({ token: z.string().min(1).max(1024) }),
  z.strictObject({ username: z.string().trim().min(1).max(128), password: z.string().min(1).max(1024) }),
]);

// Failed attempts are counted per client address by the front door, which sees this answer's
// 401; password attempts are also counted per username here, so guessing one person's password
// from many addresses is limited too.
export const POST = withApi({ access: "public" }, async ({ req, services }) => {
  const body = await parseBody(req, loginSchema);
  let session;
  if ("token" in body) {
    if (!services.auth.isAdminToken(body.token)) throw new ApiError("invalid_token", "That token is not valid");
    session = await services.sessions.create({ credential: "admin_token" });
  } else {
    const key = `user:${body.username.toLowerCase()}`;
    const wait = services.signInFailures.retryAfter(key);
    if (wait > 0) throw new ApiError("too_many_attempts", `Too many failed sign-ins for this user; try again in ${wait} s`, { details: { retryAfterSeconds: wait } });
    const user = await services.people.checkPassword(body.username, body.password);
    if (!user) {
      services.signInFailures.fail(key);
      throw new PeopleError("invalid_credentials", "Wrong username or password");
    }
    session = await services.sessions.create({ credential: "password", userId: user.id });
    await services.people.recordLogin(user.id);
  }
  const res = NextResponse.json({ ok: true });
  res.headers.append("set-cookie", sessionCookie(session.secret, { secure: requestIsHttps(req, services.config), maxAgeSeconds: session.maxAgeSeconds }));
  return res;
});
