// GET /api/tasks/:id/history – every recorded change of one task, newest first
import { withApi } from "@/lib/api/handler";
import { taskHistory } from "@/lib/sync/sync-reads";
import { taskIdSchema } from "@/lib/tasks/task-schema";

export const dynamic = "force-dynamic";

export const GET = withApi<{ id: string }>({ access: "viewer" }, async ({ params, services }) => ({
  items: await taskHistory(services, taskIdSchema.parse(params.id)),
}));
