// POST /api/tasks/:id/revert – {changeId}: put the task back to how it was right after that change, on both sides
import { parseBody, withApi } from "@/lib/api/handler";
import { revertSchema } from "@/lib/sync/sync-schemas";
import { revertTask } from "@/lib/sync/sync-queries";
import { taskIdSchema } from "@/lib/tasks/task-schema";

export const dynamic = "force-dynamic";

export const POST = withApi<{ id: string }>({ access: "editor" }, async ({ req, params, services }) => {
  const { changeId } = await parseBody(req, revertSchema);
  return revertTask(services, taskIdSchema.parse(params.id), changeId);
});
