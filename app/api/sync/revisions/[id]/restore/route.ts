// POST /api/sync/revisions/:id/restore – put both sides back to a revision ({dryRun?}: the plan only)
import { parseBody, requireRole, withApi } from "@/lib/api/handler";
import { restoreRevisionSchema, uuidSchema } from "@/lib/sync/sync-schemas";

export const dynamic = "force-dynamic";

// An editor may look at the plan; putting both sides back is an admin's call (issue #18's roles).
export const POST = withApi<{ id: string }>({ access: "editor" }, async ({ req, params, services, principal, actor }) => {
  const { dryRun } = await parseBody(req, restoreRevisionSchema);
  if (!dryRun) requireRole(principal, "admin");
  return services.sync.restoreRevision(uuidSchema.parse(params.id), dryRun, actor);
});
