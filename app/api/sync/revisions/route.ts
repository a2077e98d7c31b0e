// GET /api/sync/revisions – the file's revisions, newest first (?limit, ?before=<seq>)
import { parseQuery, withApi } from "@/lib/api/handler";
import { revisionListQuerySchema } from "@/lib/sync/sync-schemas";

export const dynamic = "force-dynamic";

export const GET = withApi({ access: "viewer" }, async ({ services, searchParams }) => {
  const { limit, before } = parseQuery(searchParams, revisionListQuerySchema);
  return { items: await services.storage.reads.listRevisions({ limit, beforeSeq: before }) };
});
