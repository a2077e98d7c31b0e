import type { EventBus } from "../events/event-bus";
import type { Logger } from "../log";
import type { RunObserver } from "../ops/observe-runs";
import { SIGNATURE_HEADER, signPayload } from "./sign-payload";
import { deliveryBody } from "./webhook-payload";
import type { WebhookEvent } from "./webhook-schema";
import type { ClaimedDelivery, WebhookStore } from "./webhook-store";

export interface WebhookDispatcherOptions {
  store: WebhookStore;
  events: EventBus;
  observer: RunObserver;
  log: Logger;
  /** Where links in payloads point (PUBLIC_URL, else the server's own URL); set once listening. */
  baseUrl(): string;
  /** Attempts before a delivery is given up (failed). Default 10. */
  maxAttempts?: number;
  /** First retry after this; doubled each attempt, at most 1 hour. Default 2000. */
  retryBaseMs?: number;
  /** A receiver that does not answer within this has failed the attempt. Default 10000. */
  timeoutMs?: number;
  /** How often due deliveries are looked for (retries, other instances' leftovers). Default 1000. */
  pollMs?: number;
}

export interface WebhookDispatcher {
  /** Sends what is due now (and is called after every enqueue). */
  kick(): void;
  /** Resolves once nothing is being sent. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const USER_AGENT = "schedule-sync-webhooks/1";
const RESPONSE_KEPT = 2000;
/** Held deletions of one run arrive as one conflict event per task: they are sent as one event. */
const HELD_BATCH_MS = 50;
const MAX_IN_FLIGHT = 50;
const KEEP_DAYS = 30;

/**
 * Outgoing webhooks: turns bus events (and failed runs) into stored deliveries, one per webhook
 * that wants the event, after the sync committed and off its path (a failure to store is
 * logged, never the sync's); then sends them in the background, signed, retrying with
 * exponential backoff. Stored first, sent after: a restart or a receiver that is down loses
 * nothing, and several instances share the work (claims are leased).
 */
export function startWebhookDispatcher(options: WebhookDispatcherOptions): WebhookDispatcher {
  const { store, log } = options;
  const maxAttempts = options.maxAttempts ?? 10;
  const retryBaseMs = options.retryBaseMs ?? 2000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const leaseSeconds = Math.ceil(timeoutMs / 1000) + 30;
  let closed = false;
  let running: Promise<void> | null = null;
  let again = false;
  const writes = new Set<Promise<unknown>>();

  const link = (path: string) => `${options.baseUrl().replace(/\/+$/, "")}${path}`;
  const enqueue = (event: WebhookEvent, payload: Record<string, unknown>) => {
    if (closed) return;
    const write = store
      .enqueue(event, payload)
      .then((n) => {
        if (n > 0) dispatcher.kick();
      })
      .catch((error: Error) => log.warn({ event, error: error.message }, "could not store a webhook delivery"))
      .finally(() => writes.delete(write));
    writes.add(write);
  };

  let held: { taskIds: string[]; timer: NodeJS.Timeout } | null = null;
  const stops = [
    options.events.subscribe("schedule_config_updated", (p) =>
      enqueue("schedule.changed", { source: p.source, runId: p.runId, taskIds: p.changedTaskIds, checksum: p.checksum, link: link(p.runId ? `/history/${p.runId}` : "/") }),
    ),
    options.events.subscribe("sync_conflict_detected", ({ conflict }) => {
      if (conflict.kind === "held_deletion") {
        held ??= {
          taskIds: [],
          timer: setTimeout(() => {
            const taskIds = held!.taskIds;
            held = null;
            enqueue("deletions.held", { taskIds, link: link("/") });
          }, HELD_BATCH_MS),
        };
        held.taskIds.push(conflict.taskId);
        return;
      }
      enqueue("conflict.opened", { conflictId: conflict.id, taskId: conflict.taskId, kind: conflict.kind, fields: conflict.fields, detectedAt: conflict.detectedAt, link: link(`/conflicts/${conflict.id}`) });
    }),
    options.events.subscribe("sync_conflict_resolved", (p) =>
      enqueue("conflict.resolved", { conflictId: p.conflictId, taskId: p.taskId, resolution: p.resolution, link: link(`/conflicts/${p.conflictId}`) }),
    ),
    options.observer.onRun((run) => {
      if (run.status === "error") enqueue("sync.failed", { runId: run.id, trigger: run.trigger, direction: run.direction, error: run.error, link: link(`/history/${run.id}`) });
    }),
  ];

  async function send(delivery: ClaimedDelivery): Promise<void> {
    const body = deliveryBody(delivery);
    let status: number | null = null;
    let response: string | null = null;
    try {
      const res = await fetch(delivery.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": USER_AGENT,
          "x-schedule-sync-event": delivery.event,
          "x-schedule-sync-delivery": delivery.id,
          [SIGNATURE_HEADER]: signPayload(delivery.secret, body),
        },
        body,
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = res.status;
      response = (await res.text().catch(() => "")).slice(0, RESPONSE_KEPT);
      if (res.ok) {
        await store.delivered(delivery.id, status, response);
        return;
      }
      throw new Error(`answered ${status}`);
    } catch (error) {
      const attempt = delivery.attempts + 1;
      const retryInMs = attempt >= maxAttempts ? null : Math.min(retryBaseMs * 2 ** (attempt - 1), 3_600_000);
      const message = error instanceof Error ? (error.name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : error.message) : String(error);
      await store.attemptFailed(delivery.id, { status, error: message, response }, retryInMs);
      log.warn({ deliveryId: delivery.id, event: delivery.event, attempt, status, retryInMs }, `webhook delivery failed: ${message}`);
    }
  }

  // Sends run side by side (a receiver that hangs delays no other), at most MAX_IN_FLIGHT.
  const inFlight = new Set<Promise<void>>();
  async function drain(): Promise<void> {
    do {
      again = false;
      const room = MAX_IN_FLIGHT - inFlight.size;
      if (room <= 0) return;
      const due = await store.claim(Math.min(20, room), leaseSeconds).catch((error: Error) => {
        log.warn(`could not read due webhook deliveries: ${error.message}`);
        return [];
      });
      for (const delivery of due) {
        const sending: Promise<void> = send(delivery)
          .catch((error: Error) => log.warn(`webhook delivery ${delivery.id}: ${error.message}`))
          .finally(() => {
            inFlight.delete(sending);
            // A retry due sooner than the next poll, or a backlog, goes on at once.
            dispatcher.kick();
          });
        inFlight.add(sending);
      }
      if (due.length === 20) again = true;
    } while (again && !closed);
  }

  const dispatcher: WebhookDispatcher = {
    kick() {
      if (closed) return;
      if (running) {
        again = true;
        return;
      }
      running = drain().finally(() => {
        running = null;
      });
    },
    async idle() {
      while (writes.size > 0 || running || inFlight.size > 0) {
        await Promise.all([...writes, ...inFlight]);
        await running;
      }
    },
    async close() {
      for (const stop of stops) stop();
      if (held) clearTimeout(held.timer);
      await Promise.all([...writes]);
      closed = true;
      clearInterval(poll);
      await running;
      // A send cut off here is retried by whoever claims it once its lease ends.
      await Promise.all([...inFlight]);
    },
  };
  const pollMs = options.pollMs ?? 1000;
  let polls = 0;
  const poll = setInterval(() => {
    dispatcher.kick();
    // The delivery log keeps 30 days of finished deliveries (pending ones stay until sent).
    if (polls++ % Math.max(1, Math.round(3_600_000 / pollMs)) === 0) {
      store.purge(KEEP_DAYS).catch((error: Error) => log.warn(`could not purge old webhook deliveries: ${error.message}`));
    }
  }, pollMs);
  poll.unref();
  dispatcher.kick();
  return dispatcher;
}
