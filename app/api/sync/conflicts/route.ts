// GET /api/sync/conflicts – conflicts by ?status=open|resolved|all
import { parseQuery, withApi } from "@/lib/api/handler";
import { conflictListQuerySchema } from "@/lib/sync/sync-schemas";
import { listConflicts } from "@/lib/sync/sync-reads";

export const dynamic = "force-dynamic";

export const GET = withApi({ access: "viewer" }, async ({ services, searchParams }) => {
  const { status, limit } = parseQuery(searchParams, conflictListQuerySchema);
  return { items: await listConflicts(services, status, limit) };
});
