import { z } from "zod";

/** The events a webhook can ask for. */
export const WEBHOOK_EVENTS = ["schedule.changed", "conflict.opened", "conflict.resolved", "sync.failed", "deletions.held"] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
export const webhookEventSchema = z.enum(WEBHOOK_EVENTS);

/** standard: `{id, event, occurredAt, data}`; slack: `{text}` for a Slack (or Mattermost, Rocket.Chat) incoming webhook. */
export const webhookFormatSchema = z.enum(["standard", "slack"]);
export type WebhookFormat = z.infer<typeof webhookFormatSchema>;

const urlSchema = z
  .string()
  .trim()
  .max(2048)
  .url()
  .refine((url) => /^https?:$/.test(new URL(url).protocol), "must be an http(s) URL");

/** Long enough that the signature means something; the receiver keeps the same string. */
const secretSchema = z.string().min(16, "must be at least 16 characters").max(256);

export const createWebhookSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  url: urlSchema,
  secret: secretSchema,
  events: z.array(webhookEventSchema).min(1, "choose at least one event").max(WEBHOOK_EVENTS.length).transform((events) => [...new Set(events)]),
  format: webhookFormatSchema.default("standard"),
  enabled: z.boolean().default(true),
});
export type CreateWebhook = z.output<typeof createWebhookSchema>;

export const patchWebhookSchema = createWebhookSchema.partial().strict();
export type PatchWebhook = z.output<typeof patchWebhookSchema>;

/** One entry of the WEBHOOKS environment variable (a JSON array): every event unless `events` says otherwise. */
export const envWebhookSchema = z.strictObject({
  name: z.string().trim().min(1).max(100).optional(),
  url: urlSchema,
  secret: secretSchema,
  events: z.array(webhookEventSchema).min(1).optional(),
  format: webhookFormatSchema.default("standard"),
});
export type EnvWebhook = z.output<typeof envWebhookSchema>;

/** Parses WEBHOOKS; a message naming the entry and field when it is wrong. */
export const envWebhooksSchema = z
  .string()
  .default("")
  .transform((text, ctx) => {
    if (text.trim() === "") return [];
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      ctx.addIssue({ code: "custom", message: 'must be a JSON array, e.g. [{"url":"https://ci.example/hook","secret":"…","events":["schedule.changed"]}]' });
      return z.NEVER;
    }
    const parsed = z.array(envWebhookSchema).max(50).safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", message: `[${issue.path.join(".")}] ${issue.message}` });
      return z.NEVER;
    }
    return parsed.data;
  });
