// GET /api/sync/revisions/:id – one revision: who made it, when, and its per-task changes
import { withApi } from "@/lib/api/handler";
import { notFound } from "@/lib/sync/engine/sync-errors";
import { uuidSchema } from "@/lib/sync/sync-schemas";

export const dynamic = "force-dynamic";

export const GET = withApi<{ id: string }>({ access: "viewer" }, async ({ params, services }) => {
  const id = uuidSchema.parse(params.id);
  const revision = await services.storage.reads.getRevision(id);
  if (!revision) throw notFound("Revision", id);
  return revision;
});
