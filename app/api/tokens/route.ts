// GET /api/tokens – named API tokens with role, expiry, last use; never their secrets (admin)
// POST /api/tokens – create one {name, role, expiresInDays?}; the secret is in this answer only (admin)
import { NextResponse } from "next/server";
import { parseBody, withApi } from "@/lib/api/handler";
import { actorLabel } from "@/lib/people/actor";
import { createTokenSchema } from "@/lib/people/people-schemas";

export const dynamic = "force-dynamic";

export const GET = withApi({ access: "admin" }, async ({ services }) => ({ items: await services.people.listTokens() }));

export const POST = withApi({ access: "admin" }, async ({ req, services, actor }) => {
  const { name, role, expiresInDays } = await parseBody(req, createTokenSchema);
  const expiresAt = expiresInDays ? new Date(Date.now() + expiresInDays * 86_400_000) : null;
  const created = await services.people.createToken({ name, role, expiresAt, createdBy: actorLabel(actor) });
  return NextResponse.json(created, { status: 201, headers: { "cache-control": "no-store" } });
});
