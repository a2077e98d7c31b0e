// POST /api/sync/conflicts/:id/resolve – keep_yaml | keep_db | merge (with the full merged task)
import { parseBody, withApi } from "@/lib/api/handler";
import { resolveConflictSchema, uuidSchema } from "@/lib/sync/sync-schemas";

export const dynamic = "force-dynamic";

export const POST = withApi<{ id: string }>({ access: "editor" }, async ({ req, params, services, actor }) => {
  const id = uuidSchema.parse(params.id);
  const { resolution, merged } = await parseBody(req, resolveConflictSchema);
  return services.sync.resolveConflict(id, resolution, merged, actor);
});
