// GET /api/sync/conflicts/:id – base, YAML and DB versions, differing fields, each side's YAML text
import { withApi } from "@/lib/api/handler";
import { conflictDetail } from "@/lib/sync/sync-reads";
import { uuidSchema } from "@/lib/sync/sync-schemas";

export const dynamic = "force-dynamic";

export const GET = withApi<{ id: string }>({ access: "viewer" }, async ({ params, services }) => {
  const detail = await conflictDetail(services, uuidSchema.parse(params.id));
  // Git mode: the commit of the remote that brought the clash ("from git: <author>, <commit>").
  return { ...detail, fromGit: detail.status === "open" ? (services.git?.originOf(detail.taskId) ?? null) : null };
});
