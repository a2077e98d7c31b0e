// GET /api/sync/runs/:id – one run with its per-task changes (before/after)
import { withApi } from "@/lib/api/handler";
import { runDetail } from "@/lib/sync/sync-reads";
import { uuidSchema } from "@/lib/sync/sync-schemas";

export const dynamic = "force-dynamic";

export const GET = withApi<{ id: string }>({ access: "viewer" }, async ({ params, services }) => runDetail(services, uuidSchema.parse(params.id)));
