import { createHash, randomUUID } from "node:crypto";
import type { SqlSession } from "../db/create-database";
import type { CreateWebhook, EnvWebhook, PatchWebhook, WebhookEvent, WebhookFormat } from "./webhook-schema";
import { WEBHOOK_EVENTS } from "./webhook-schema";

/** A webhook as the API and the UI show it: never its secret. */
export interface WebhookView {
  id: string;
  name: string;
  url: string;
  events: WebhookEvent[];
  format: WebhookFormat;
  enabled: boolean;
  source: "ui" | "env";
  createdAt: string;
  updatedAt: string;
  /** Deliveries by status (the last 24 hours' and every pending one). */
  pending: number;
  failed: number;
}

export interface DeliveryView {
  id: string;
  webhookId: string;
  event: WebhookEvent;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  nextAttemptAt: string;
  lastStatus: number | null;
  lastError: string | null;
  lastResponse: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

/** A delivery claimed for sending, with what sending needs. */
export interface ClaimedDelivery {
  id: string;
  event: WebhookEvent;
  payload: unknown;
  attempts: number;
  createdAt: string;
  url: string;
  secret: string;
  format: WebhookFormat;
}

export type WebhookStore = ReturnType<typeof createWebhookStore>;

const VIEW = `SELECT w.id, w.name, w.url, w.events, w.format, w.enabled, w.source, w.created_at AS "createdAt", w.updated_at AS "updatedAt",
  (SELECT count(*)::int FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.status = 'pending') AS pending,
  (SELECT count(*)::int FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.status = 'failed' AND d.created_at > now() - interval '1 day') AS failed
  FROM webhooks w`;

/** The webhooks and their deliveries in the database (one SQL dialect: PostgreSQL and PGlite). */
export function createWebhookStore(db: Pick<SqlSession, "query">) {
  const view = (row: Record<string, unknown>): WebhookView => ({
    ...(row as unknown as WebhookView),
    createdAt: iso(row.createdAt)!,
    updatedAt: iso(row.updatedAt)!,
  });

  return {
    async list(): Promise<WebhookView[]> {
      return (await db.query(`${VIEW} ORDER BY w.source, w.created_at, w.id`)).map(view);
    },
    async get(id: string): Promise<(WebhookView & { secret: string }) | null> {
      const [row] = await db.query(`SELECT v.*, w.secret FROM (${VIEW} WHERE w.id = $1) v JOIN webhooks w ON w.id = v.id`, [id]);
      return row ? { ...view(row), secret: String(row.secret) } : null;
    },
    async create(input: CreateWebhook): Promise<WebhookView> {
      const id = randomUUID();
      await db.query(`INSERT INTO webhooks (id, name, url, secret, events, format, enabled, source) VALUES ($1, $2, $3, $4, $5, $6, $7, 'ui')`, [
        id,
        input.name,
        input.url,
        input.secret,
        input.events,
        input.format,
        input.enabled,
      ]);
      const { secret: _secret, ...created } = (await this.get(id))!;
      return created;
    },
    async update(id: string, patch: PatchWebhook): Promise<void> {
      await db.query(
        `UPDATE webhooks SET name = coalesce($2, name), url = coalesce($3, url), secret = coalesce($4, secret), events = coalesce($5, events),
           format = coalesce($6, format), enabled = coalesce($7, enabled), updated_at = now() WHERE id = $1`,
        [id, patch.name ?? null, patch.url ?? null, patch.secret ?? null, patch.events ?? null, patch.format ?? null, patch.enabled ?? null],
      );
    },
    async remove(id: string): Promise<void> {
      await db.query(`DELETE FROM webhooks WHERE id = $1`, [id]);
    },
    /**
     * Makes the webhooks of source "env" exactly `hooks` (WEBHOOKS), each with an id derived from
     * its URL and name, so a restart with the same setting keeps its deliveries.
     */
    async syncEnv(hooks: readonly EnvWebhook[]): Promise<void> {
      const ids: string[] = [];
      for (const hook of hooks) {
        const name = hook.name ?? new URL(hook.url).host;
        const id = stableUuid(`env\n${hook.url}\n${name}`);
        ids.push(id);
        await db.query(
          `INSERT INTO webhooks (id, name, url, secret, events, format, enabled, source) VALUES ($1, $2, $3, $4, $5, $6, true, 'env')
           ON CONFLICT (id) DO UPDATE SET secret = EXCLUDED.secret, events = EXCLUDED.events, format = EXCLUDED.format, enabled = true, updated_at = now()`,
          [id, name, hook.url, hook.secret, hook.events ?? [...WEBHOOK_EVENTS], hook.format],
        );
      }
      await db.query(`DELETE FROM webhooks WHERE source = 'env' AND NOT (id = ANY($1::uuid[]))`, [ids]);
    },
    /** One pending delivery per enabled webhook that wants `event`; returns how many. */
    async enqueue(event: WebhookEvent, payload: unknown): Promise<number> {
      const rows = await db.query(
        `INSERT INTO webhook_deliveries (id, webhook_id, event, payload)
         SELECT gen_random_uuid(), id, $1, $2::jsonb FROM webhooks WHERE enabled AND $1 = ANY(events) RETURNING id`,
        [event, JSON.stringify(payload)],
      );
      return rows.length;
    },
    /**
     * Up to `limit` deliveries due now, leased to this process for `leaseSeconds` (another
     * instance skips them; a process that dies mid-send leaves them to be retried once the lease ends).
     */
    async claim(limit: number, leaseSeconds: number): Promise<ClaimedDelivery[]> {
      const rows = await db.query(
        `UPDATE webhook_deliveries d SET next_attempt_at = now() + make_interval(secs => $2)
         FROM webhooks w
         WHERE w.id = d.webhook_id AND d.id IN (
           SELECT id FROM webhook_deliveries
           WHERE status = 'pending' AND next_attempt_at <= now() AND webhook_id IN (SELECT id FROM webhooks WHERE enabled)
           ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING d.id, d.event, d.payload, d.attempts, d.created_at AS "createdAt", w.url, w.secret, w.format`,
        [limit, leaseSeconds],
      );
      return rows.map((row) => ({ ...(row as unknown as ClaimedDelivery), payload: typeof row.payload === "string" ? JSON.parse(row.payload) : row.payload, createdAt: iso(row.createdAt)! }));
    },
    async delivered(id: string, status: number, response: string): Promise<void> {
      await db.query(
        `UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, last_status = $2, last_response = $3, last_error = NULL, delivered_at = now() WHERE id = $1`,
        [id, status, response],
      );
    },
    /** A failed attempt: retried after `retryInMs`, or failed for good when null. */
    async attemptFailed(id: string, outcome: { status: number | null; error: string; response: string | null }, retryInMs: number | null): Promise<void> {
      await db.query(
        `UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = $2, last_error = $3, last_response = $4,
           status = CASE WHEN $5::int IS NULL THEN 'failed' ELSE 'pending' END,
           next_attempt_at = CASE WHEN $5::int IS NULL THEN next_attempt_at ELSE now() + make_interval(secs => $5::int / 1000.0) END
         WHERE id = $1`,
        [id, outcome.status, outcome.error, outcome.response, retryInMs === null ? null : Math.round(retryInMs)],
      );
    },
    /** Deletes finished deliveries (delivered or failed) older than `days`; returns how many. */
    async purge(days: number): Promise<number> {
      const rows = await db.query(`DELETE FROM webhook_deliveries WHERE status <> 'pending' AND created_at < now() - make_interval(days => $1) RETURNING id`, [days]);
      return rows.length;
    },
    /** Newest first. */
    async deliveries(webhookId: string, limit = 50): Promise<DeliveryView[]> {
      const rows = await db.query(
        `SELECT id, webhook_id AS "webhookId", event, status, attempts, next_attempt_at AS "nextAttemptAt", last_status AS "lastStatus",
           last_error AS "lastError", last_response AS "lastResponse", created_at AS "createdAt", delivered_at AS "deliveredAt"
         FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY created_at DESC, id LIMIT $2`,
        [webhookId, limit],
      );
      return rows.map((row) => ({
        ...(row as unknown as DeliveryView),
        nextAttemptAt: iso(row.nextAttemptAt)!,
        createdAt: iso(row.createdAt)!,
        deliveredAt: iso(row.deliveredAt),
      }));
    },
  };
}

function iso(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return new Date(value as string | Date).toISOString();
}

/** A UUID (version 4 layout) derived from `text`: the same text, the same id. */
function stableUuid(text: string): string {
  const hex = createHash("sha256").update(text).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
