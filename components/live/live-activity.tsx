"use client";

import { useState } from "react";
import type { LiveEvent } from "@/lib/client/use-live-socket";
import { RESOLUTION_LABELS, SOURCE_LABELS } from "@/lib/client/format";
import { useLiveEvent } from "./live-provider";

function describe(event: LiveEvent): string | null {
  switch (event.name) {
    case "schedule_config_updated": {
      const ids = event.payload.changedTaskIds;
      const which = ids.length === 1 ? ids[0] : `${ids.length} tasks`;
      // The event does not say whether a task was created, changed or deleted: "changed" covers all three.
      return `${which} changed (${SOURCE_LABELS[event.payload.source] ?? event.payload.source})`;
    }
    case "sync_conflict_detected":
      return `Conflict detected on ${event.payload.conflict.taskId}`;
    case "sync_conflict_resolved":
      return `Conflict on ${event.payload.taskId} resolved (${RESOLUTION_LABELS[event.payload.resolution] ?? event.payload.resolution})`;
    case "sync_status_changed":
      return event.payload.status.state === "error" ? `Sync failed: ${event.payload.status.error ?? "unknown error"}` : null;
    case "reconnected":
      return "Reconnected; page refreshed";
    case "connected":
      return null;
  }
}

/** The latest thing that happened elsewhere, announced politely to screen readers. */
export function LiveActivity() {
  const [message, setMessage] = useState<{ text: string; at: number } | null>(null);
  useLiveEvent((event) => {
    const text = describe(event);
    if (text) setMessage({ text, at: Date.now() });
  });
  return (
    <p role="status" aria-live="polite" className="min-w-0 truncate text-xs text-slate-600" data-testid="live-activity">
      {message && (
        <>
          <span className="sr-only">Live update: </span>
          {message.text} ·{" "}
          {new Date(message.at).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit" })}
        </>
      )}
    </p>
  );
}
