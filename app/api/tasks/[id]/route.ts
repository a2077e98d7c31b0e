// GET /api/tasks/:id – one task with its open conflict, if any
// PUT /api/tasks/:id – replace a task (optional `version` for optimistic concurrency)
// PATCH /api/tasks/:id – change some fields (optional `version`)
// DELETE /api/tasks/:id – delete a task (optional ?version=)
import { z } from "zod";
import { notFound } from "@/lib/api/errors";
import { parseBody, parseQuery, withApi } from "@/lib/api/handler";
import { nameWhoSaved } from "@/lib/api/name-who-saved";
import { writeAnswer } from "@/lib/api/write-answer";
import { getTask } from "@/lib/tasks/task-reads";
import { patchTaskSchema, putTaskSchema, taskIdSchema, taskSchema } from "@/lib/tasks/task-schema";

export const dynamic = "force-dynamic";
type Params = { id: string };

const idOf = (params: Params) => taskIdSchema.parse(params.id);

export const GET = withApi<Params>({ access: "viewer" }, async ({ params, services }) => {
  const id = idOf(params);
  const task = await getTask(services.db, id);
  if (!task) throw notFound("Task", id);
  return task;
});

export const PUT = withApi<Params>({ access: "editor" }, async ({ req, params, services, actor }) => {
  const id = idOf(params);
  const { version, ...body } = await parseBody(req, putTaskSchema);
  return writeAnswer(await services.sync.writeTask({ kind: "replace", id, version, task: { id, ...body }, actor }).catch(nameWhoSaved(services.storage, id)));
});

export const PATCH = withApi<Params>({ access: "editor" }, async ({ req, params, services, actor }) => {
  const id = idOf(params);
  const { version, ...changes } = await parseBody(req, patchTaskSchema);
  return writeAnswer(await services.sync.writeTask({ kind: "patch", id, version, patch: (current) => taskSchema.parse({ ...current, ...changes }), actor }).catch(nameWhoSaved(services.storage, id)));
});

const deleteQuerySchema = z.strictObject({ version: z.coerce.number().int().nonnegative().optional() });

export const DELETE = withApi<Params>({ access: "editor" }, async ({ params, services, searchParams, actor }) => {
  const id = idOf(params);
  const { version } = parseQuery(searchParams, deleteQuerySchema);
  return writeAnswer(await services.sync.writeTask({ kind: "delete", id, version, actor }).catch(nameWhoSaved(services.storage, id)));
});
