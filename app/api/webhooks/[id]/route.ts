// PATCH /api/webhooks/:id – change a webhook (not one of WEBHOOKS: 409)
// DELETE /api/webhooks/:id – remove it and its delivery log
import { parseBody, withApi } from "@/lib/api/handler";
import { patchWebhookSchema } from "@/lib/webhooks/webhook-schema";
import { deleteWebhook, updateWebhook, webhookIdSchema, webhookServices } from "@/lib/webhooks/webhook-service";

export const dynamic = "force-dynamic";
type Params = { id: string };

export const PATCH = withApi<Params>({ access: "admin" }, async ({ req, params, services }) => {
  const id = webhookIdSchema.parse(params.id);
  return updateWebhook(webhookServices(services.ops), id, await parseBody(req, patchWebhookSchema));
});

export const DELETE = withApi<Params>({ access: "admin" }, async ({ params, services }) => {
  await deleteWebhook(webhookServices(services.ops), webhookIdSchema.parse(params.id));
  return { deleted: true };
});
