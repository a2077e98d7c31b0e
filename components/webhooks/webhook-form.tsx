"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { apiFetch, errorMessage } from "@/lib/client/api-fetch";
import { WEBHOOK_EVENTS } from "@/lib/webhooks/webhook-schema";
import { Button } from "@/components/ui/button";
import { Field, inputClass } from "@/components/ui/field";
import { Notice } from "@/components/ui/notice";
import { Spinner } from "@/components/ui/spinner";

const EVENT_HINTS: Record<(typeof WEBHOOK_EVENTS)[number], string> = {
  "schedule.changed": "tasks changed on either side (the task ids and a link)",
  "conflict.opened": "a task was changed on both sides",
  "conflict.resolved": "someone resolved a conflict",
  "sync.failed": "a sync run failed",
  "deletions.held": "a mass deletion waits for a person",
};

/** Adds an outgoing webhook: URL, secret (for the signature), events, payload format. */
export function WebhookForm() {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [added, setAdded] = useState<string | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setProblem(null);
    setAdded(null);
    try {
      await apiFetch("/api/webhooks", {
        json: {
          name: String(form.get("name") ?? ""),
          url: String(form.get("url") ?? ""),
          secret: String(form.get("secret") ?? ""),
          events: form.getAll("events").map(String),
          format: String(form.get("format") ?? "standard"),
        },
      });
      setAdded(String(form.get("name")));
      (event.target as HTMLFormElement).reset();
      router.refresh();
    } catch (error) {
      setProblem(errorMessage(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="space-y-4" aria-label="Add a webhook">
      <div className="grid gap-4 md:grid-cols-2">
        <Field id="webhook-name" label="Name" required>
          <input id="webhook-name" name="name" required maxLength={100} className={inputClass()} placeholder="crontab generator" />
        </Field>
        <Field id="webhook-url" label="URL" required hint="Receives a POST for every event it wants.">
          <input id="webhook-url" name="url" type="url" required className={inputClass()} placeholder="https://ci.example.org/hooks/schedule" />
        </Field>
        <Field id="webhook-secret" label="Secret" required hint="At least 16 characters; the receiver checks X-Schedule-Sync-Signature-256 (HMAC-SHA256) with it. Not shown again.">
          <input id="webhook-secret" name="secret" type="password" required minLength={16} autoComplete="off" className={inputClass()} />
        </Field>
        <Field id="webhook-format" label="Payload">
          <select id="webhook-format" name="format" className={inputClass()} defaultValue="standard">
            <option value="standard">JSON: {"{id, event, occurredAt, data}"}</option>
            <option value="slack">Slack-compatible: {"{text}"}</option>
          </select>
        </Field>
      </div>
      <fieldset>
        <legend className="mb-1 text-sm font-medium text-slate-800">Events</legend>
        <ul className="grid gap-1 md:grid-cols-2">
          {WEBHOOK_EVENTS.map((name) => (
            <li key={name}>
              <label className="flex items-baseline gap-2 text-sm text-slate-800">
                <input type="checkbox" name="events" value={name} defaultChecked={name === "schedule.changed"} />
                <span>
                  <code className="font-mono">{name}</code> <span className="text-slate-600">— {EVENT_HINTS[name]}</span>
                </span>
              </label>
            </li>
          ))}
        </ul>
      </fieldset>
      {problem && (
        <Notice tone="error" title="Could not add the webhook">
          {problem}
        </Notice>
      )}
      {added && <Notice tone="success">Added {added}.</Notice>}
      <Button type="submit" variant="primary" disabled={busy}>
        {busy ? <Spinner label="Adding…" /> : "Add webhook"}
      </Button>
    </form>
  );
}
