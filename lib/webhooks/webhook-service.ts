import { z } from "zod";
import { ApiError, notFound } from "../api/errors";
import type { OpsServices } from "../core/services";
import type { CreateWebhook, PatchWebhook } from "./webhook-schema";
import type { WebhookView } from "./webhook-store";

export const webhookIdSchema = z.string().uuid();

/** The webhook services of the running server (route handlers); 500 where they are not wired. */
export function webhookServices(ops: OpsServices | undefined): Pick<OpsServices, "webhooks" | "dispatcher"> {
  if (!ops) throw new ApiError("internal_error", "Webhooks are not wired in this process");
  return ops;
}

/** A webhook that an admin may change: it exists and was not configured by WEBHOOKS. */
async function editable(ops: Pick<OpsServices, "webhooks">, id: string): Promise<WebhookView> {
  const hook = await ops.webhooks.get(id);
  if (!hook) throw notFound("Webhook", id);
  if (hook.source === "env") throw new ApiError("read_only", "This webhook is configured by the WEBHOOKS environment variable; change it there");
  const { secret: _secret, ...view } = hook;
  return view;
}

export async function createWebhook(ops: Pick<OpsServices, "webhooks">, input: CreateWebhook): Promise<WebhookView> {
  return ops.webhooks.create(input);
}

export async function updateWebhook(ops: Pick<OpsServices, "webhooks">, id: string, patch: PatchWebhook): Promise<WebhookView> {
  await editable(ops, id);
  await ops.webhooks.update(id, patch);
  return (await editable(ops, id))!;
}

export async function deleteWebhook(ops: Pick<OpsServices, "webhooks">, id: string): Promise<void> {
  await editable(ops, id);
  await ops.webhooks.remove(id);
}

export async function webhookDeliveries(ops: Pick<OpsServices, "webhooks">, id: string) {
  const hook = await ops.webhooks.get(id);
  if (!hook) throw notFound("Webhook", id);
  return { items: await ops.webhooks.deliveries(id, 100) };
}
