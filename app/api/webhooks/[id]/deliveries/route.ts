// GET /api/webhooks/:id/deliveries – the webhook's delivery log, newest first: status, attempts, last answer
import { withApi } from "@/lib/api/handler";
import { webhookDeliveries, webhookIdSchema, webhookServices } from "@/lib/webhooks/webhook-service";

export const dynamic = "force-dynamic";
type Params = { id: string };

export const GET = withApi<Params>({ access: "admin" }, async ({ params, services }) => webhookDeliveries(webhookServices(services.ops), webhookIdSchema.parse(params.id)));
