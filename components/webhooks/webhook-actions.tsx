"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiFetch, errorMessage } from "@/lib/client/api-fetch";
import { Button } from "@/components/ui/button";

/** Pauses, resumes or removes a webhook configured in the UI. */
export function WebhookActions({ id, name, enabled }: { id: string; name: string; enabled: boolean }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const act = async (init: { method: "PATCH" | "DELETE"; json?: unknown }) => {
    setBusy(true);
    setProblem(null);
    try {
      await apiFetch(`/api/webhooks/${id}`, init);
      router.refresh();
    } catch (error) {
      setProblem(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="flex flex-wrap items-center gap-2">
      <Button size="sm" disabled={busy} onClick={() => act({ method: "PATCH", json: { enabled: !enabled } })} aria-label={`${enabled ? "Pause" : "Resume"} ${name}`}>
        {enabled ? "Pause" : "Resume"}
      </Button>
      <Button
        size="sm"
        variant="danger"
        disabled={busy}
        aria-label={`Remove ${name}`}
        onClick={() => {
          if (window.confirm(`Remove the webhook ${name} and its delivery log?`)) void act({ method: "DELETE" });
        }}
      >
        Remove
      </Button>
      {problem && <span className="text-sm text-red-700">{problem}</span>}
    </div>
  );
}
