// POST /api/tasks/:id/revert – {changeId}: put the task back to how it was right after that change, on both sides
import { parseBody, withApi } from "@/lib/api/handler";
import { writeAnswer } from "@/lib/api/write-answer";
import { revertSchema } from "@/lib/sync/sync-schemas";
import { taskIdSchema } from "@/lib/tasks/task-schema";

export const dynamic = "force-dynamic";

export const POST = withApi<{ id: string }>({ access: "editor" }, async ({ req, params, services, actor }) => {
  const { changeId } = await parseBody(req, revertSchema);
  return writeAnswer(await services.sync.revertTask(taskIdSchema.parse(params.id), changeId, actor));
});
