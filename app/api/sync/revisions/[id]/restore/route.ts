// POST /api/sync/revisions/:id/restore – put both sides back to a revision ({dryRun?}: the plan only)
import { parseBody, withApi } from "@/lib/api/handler";
import { restoreRevisionSchema, uuidSchema } from "@/lib/sync/sync-schemas";

export const dynamic = "force-dynamic";

export const POST = withApi<{ id: string }>({ access: "editor" }, async ({ req, params, services }) => {
  const { dryRun } = await parseBody(req, restoreRevisionSchema);
  return services.sync.restoreRevision(uuidSchema.parse(params.id), dryRun);
});
