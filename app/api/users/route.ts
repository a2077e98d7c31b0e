// GET /api/users – every user with their role (admin)
// POST /api/users – add a user {username, role, password?} (admin)
import { NextResponse } from "next/server";
import { parseBody, withApi } from "@/lib/api/handler";
import { addUserSchema } from "@/lib/people/people-schemas";

export const dynamic = "force-dynamic";

export const GET = withApi({ access: "admin" }, async ({ services }) => ({ items: await services.people.listUsers() }));

export const POST = withApi({ access: "admin" }, async ({ req, services }) => {
  const input = await parseBody(req, addUserSchema);
  return NextResponse.json(await services.people.addUser({ ...input, source: "local" }), { status: 201 });
});
