// GET /api/tasks – one page of tasks (?q, ?tag, ?enabled, ?conflicted, ?limit, ?offset)
// POST /api/tasks – create a task in the DB and the YAML file at once
import { NextResponse } from "next/server";
import { parseBody, parseQuery, withApi } from "@/lib/api/handler";
import { listTasks, listTasksQuerySchema } from "@/lib/tasks/task-queries";
import { createTaskSchema } from "@/lib/tasks/task-schema";

export const dynamic = "force-dynamic";

export const GET = withApi({ access: "viewer" }, async ({ services, searchParams }) => listTasks(services.db, parseQuery(searchParams, listTasksQuerySchema)));

export const POST = withApi({ access: "editor" }, async ({ req, services }) => {
  const task = await parseBody(req, createTaskSchema);
  const result = await services.sync.writeTask({ kind: "create", task });
  return NextResponse.json(result, { status: 201 });
});
