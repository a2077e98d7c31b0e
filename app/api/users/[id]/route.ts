// PATCH /api/users/:username – change a role or password {role?, password?} (admin)
// DELETE /api/users/:username – remove a user, their sessions and tokens (admin)
import { parseBody, withApi } from "@/lib/api/handler";
import { updateUserSchema } from "@/lib/people/people-schemas";
import { usernameSchema } from "@/lib/people/people-store";

export const dynamic = "force-dynamic";

export const PATCH = withApi<{ id: string }>({ access: "admin" }, async ({ req, params, services }) => {
  const username = usernameSchema.parse(params.id);
  return services.people.updateUser(username, await parseBody(req, updateUserSchema));
});

export const DELETE = withApi<{ id: string }>({ access: "admin" }, async ({ params, services }) => ({
  removed: await services.people.removeUser(usernameSchema.parse(params.id)),
}));
