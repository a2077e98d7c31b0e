import type { ClaimedDelivery } from "./webhook-store";

/**
 * The body of one delivery, the same bytes on every attempt (so its signature is too):
 * standard `{id, event, occurredAt, data}`, where `id` is the delivery's (a receiver can drop
 * a repeat), or Slack's `{text}`.
 */
export function deliveryBody(delivery: Pick<ClaimedDelivery, "id" | "event" | "payload" | "createdAt" | "format">): string {
  if (delivery.format === "slack") return JSON.stringify({ text: slackText(delivery.event, delivery.payload as Record<string, unknown>) });
  return JSON.stringify({ id: delivery.id, event: delivery.event, occurredAt: delivery.createdAt, data: delivery.payload });
}

function slackText(event: string, data: Record<string, unknown>): string {
  const link = typeof data.link === "string" ? ` <${data.link}|open>` : "";
  const ids = (list: unknown) => {
    const all = Array.isArray(list) ? list.map(String) : [];
    return all.length > 5 ? `${all.slice(0, 5).join(", ")} and ${all.length - 5} more` : all.join(", ");
  };
  switch (event) {
    case "schedule.changed":
      return `schedule-sync: the schedule changed (${ids(data.taskIds)}; from ${data.source}).${link}`;
    case "conflict.opened":
      return `schedule-sync: a conflict opened on task ${data.taskId} (${data.kind}; ${ids(data.fields)}).${link}`;
    case "conflict.resolved":
      return `schedule-sync: the conflict on task ${data.taskId} was resolved (${data.resolution}).${link}`;
    case "sync.failed":
      return `schedule-sync: a sync failed (${data.trigger}): ${data.error}${link}`;
    case "deletions.held":
      return `schedule-sync: a mass deletion is held for a person to confirm (${ids(data.taskIds)}).${link}`;
    default:
      return `schedule-sync: ${event}${link}`;
  }
}
