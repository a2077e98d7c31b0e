// GET /api/webhooks – every outgoing webhook (never its secret), with its pending and failed deliveries
// POST /api/webhooks – add one: {name, url, secret, events, format?, enabled?} (201)
import { NextResponse } from "next/server";
import { parseBody, withApi } from "@/lib/api/handler";
import { createWebhookSchema } from "@/lib/webhooks/webhook-schema";
import { createWebhook, webhookServices } from "@/lib/webhooks/webhook-service";

export const dynamic = "force-dynamic";

export const GET = withApi({ access: "admin" }, async ({ services }) => ({ items: await webhookServices(services.ops).webhooks.list() }));

export const POST = withApi({ access: "admin" }, async ({ req, services }) => {
  const input = await parseBody(req, createWebhookSchema);
  return NextResponse.json(await createWebhook(webhookServices(services.ops), input), { status: 201 });
});
