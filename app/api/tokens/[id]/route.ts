// DELETE /api/tokens/:name – revoke a token at once; it stays listed as revoked (admin)
import { withApi } from "@/lib/api/handler";
import { tokenNameSchema } from "@/lib/people/people-store";

export const dynamic = "force-dynamic";

export const DELETE = withApi<{ id: string }>({ access: "admin" }, async ({ params, services }) => ({
  revoked: await services.people.revokeToken(tokenNameSchema.parse(params.id)),
}));
