// GET /api/tasks – one page of tasks with their sync state (?q, ?tag, ?enabled, ?conflicted, ?state, ?sort, ?limit, ?offset)
// POST /api/tasks – create a task in the DB and the YAML file at once
import { parseBody, parseQuery, withApi } from "@/lib/api/handler";
import { writeAnswer } from "@/lib/api/write-answer";
import { listTasksWithSyncState } from "@/lib/sync/sync-reads";
import { listTasksQuerySchema } from "@/lib/tasks/task-reads";
import { createTaskSchema } from "@/lib/tasks/task-schema";

export const dynamic = "force-dynamic";

export const GET = withApi({ access: "viewer" }, async ({ services, searchParams }) => listTasksWithSyncState(services, parseQuery(searchParams, listTasksQuerySchema)));

export const POST = withApi({ access: "editor" }, async ({ req, services, actor }) => {
  const task = await parseBody(req, createTaskSchema);
  return writeAnswer(await services.sync.writeTask({ kind: "create", task, actor }), 201);
});
