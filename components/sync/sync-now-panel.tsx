"use client";

import Link from "next/link";
import { useId, useState } from "react";
import { apiFetch, errorMessage } from "@/lib/client/api-fetch";
import type { Direction, RunResult } from "@/lib/client/api-types";
import { formatDuration, pluralize } from "@/lib/client/format";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { inputClass } from "@/components/ui/field";
import { Notice } from "@/components/ui/notice";
import { Spinner } from "@/components/ui/spinner";
import { useLiveEvent } from "@/components/live/live-provider";
import { PlanCounts, SyncPlanView, planLosses } from "./sync-plan-view";

const DIRECTIONS: { value: Direction; label: string; help: string }[] = [
  { value: "bidirectional", label: "Both ways", help: "Each side's changes go to the other; same-field edits on both sides become conflicts for you to resolve." },
  { value: "yaml_to_db", label: "YAML → DB (YAML wins)", help: "The YAML file wins every difference: the database is overwritten to match it. You see the plan first." },
  { value: "db_to_yaml", label: "DB → YAML (DB wins)", help: "The database wins every difference: the YAML file is overwritten to match it. You see the plan first." },
];

type Phase =
  | { kind: "idle" }
  | { kind: "planning" }
  | { kind: "confirm"; plan: RunResult; apply: boolean }
  | { kind: "running" }
  | { kind: "done"; result: RunResult }
  | { kind: "failed"; message: string };

/** "Sync now" with a direction; a one-sided direction shows its dry-run plan and asks first. */
export function SyncNowPanel({ oneSidedAllowed = true }: { /** Only admins run one-sided directions (issue #18); editors sync both ways. */ oneSidedAllowed?: boolean }) {
  const id = useId();
  const [direction, setDirection] = useState<Direction>("bidirectional");
  const [force, setForce] = useState(false);
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });
  const oneSided = direction !== "bidirectional";
  const options = { direction, force: oneSided && force };
  const busy = phase.kind === "planning" || phase.kind === "running";

  async function preview(apply: boolean) {
    setPhase({ kind: "planning" });
    try {
      const plan = await apiFetch<RunResult>("/api/sync/trigger", { json: { ...options, dryRun: true } });
      setPhase({ kind: "confirm", plan, apply });
    } catch (error) {
      setPhase({ kind: "failed", message: errorMessage(error) });
    }
  }

  async function run() {
    setPhase({ kind: "running" });
    try {
      const result = await apiFetch<RunResult>("/api/sync/trigger", { json: options });
      setPhase({ kind: "done", result });
    } catch (error) {
      setPhase({ kind: "failed", message: errorMessage(error) });
    }
  }

  // A failure is stale once a later sync succeeded (e.g. after the file was fixed).
  useLiveEvent((event) => {
    if (event.name === "schedule_config_updated" || (event.name === "sync_status_changed" && event.payload.status.state === "idle")) {
      setPhase((p) => (p.kind === "failed" ? { kind: "idle" } : p));
    }
  });

  const help = DIRECTIONS.find((d) => d.value === direction)!.help;
  const confirm = phase.kind === "confirm" ? phase : null;
  const losses = confirm ? planLosses(confirm.plan) : 0;

  return (
    <section aria-labelledby={`${id}-title`} className="mb-4 rounded-lg border border-slate-200 bg-white p-3 shadow-sm">
      <h2 id={`${id}-title`} className="sr-only">
        Sync now
      </h2>
      <div className="flex flex-wrap items-end gap-3">
        <div className="min-w-52">
          <label htmlFor={`${id}-direction`} className="mb-1 block text-xs font-semibold text-slate-700">
            Direction
          </label>
          <select
            id={`${id}-direction`}
            value={direction}
            onChange={(event) => setDirection(event.target.value as Direction)}
            aria-describedby={`${id}-help`}
            className={inputClass()}
            disabled={busy}
          >
            {DIRECTIONS.filter((d) => oneSidedAllowed || d.value === "bidirectional").map((d) => (
              <option key={d.value} value={d.value}>
                {d.label}
              </option>
            ))}
          </select>
        </div>
        <label className={`flex items-center gap-2 pb-2 text-sm ${oneSided ? "text-slate-800" : "text-slate-500"}`}>
          <input
            type="checkbox"
            checked={oneSided && force}
            disabled={!oneSided || busy}
            onChange={(event) => setForce(event.target.checked)}
            className="size-4 accent-blue-700"
            aria-describedby={`${id}-force-help`}
          />
          Also override open conflicts
        </label>
        <span id={`${id}-force-help`} className="sr-only">
          Only for one-sided directions: the winning side also replaces tasks that have an open conflict.
        </span>
        <div className="flex gap-2 pb-px">
          <Button onClick={() => preview(false)} disabled={busy}>
            Preview
          </Button>
          <Button variant="primary" onClick={() => (oneSided ? preview(true) : run())} disabled={busy} data-testid="sync-now">
            {busy ? <Spinner label={phase.kind === "planning" ? "Planning…" : "Syncing…"} /> : oneSided ? "Sync now…" : "Sync now"}
          </Button>
        </div>
      </div>
      <p id={`${id}-help`} className="mt-2 text-xs text-slate-600">
        {help}
      </p>

      <div aria-live="polite" className="empty:hidden" data-testid="sync-outcome">
        {phase.kind === "running" && <p className="mt-2 text-sm text-blue-800">Sync running…</p>}
        {phase.kind === "done" && (
          <Notice
            tone={phase.result.conflicts > 0 ? "warning" : "success"}
            className="mt-3"
            title={`Sync finished in ${formatDuration(phase.result.durationMs)}`}
            actions={
              <>
                {phase.result.runId && (
                  <Link href={`/history/${phase.result.runId}`} className="text-sm font-medium text-blue-800 underline">
                    See what changed
                  </Link>
                )}
                {phase.result.conflicts > 0 && (
                  <Link href="/conflicts" className="text-sm font-medium text-amber-900 underline">
                    Resolve {pluralize(phase.result.conflicts, "conflict")}
                  </Link>
                )}
                <Button size="sm" variant="ghost" onClick={() => setPhase({ kind: "idle" })}>
                  Dismiss
                </Button>
              </>
            }
          >
            <PlanCounts counts={phase.result.counts} />
          </Notice>
        )}
        {phase.kind === "failed" && (
          <Notice
            tone="error"
            className="mt-3"
            title="Sync failed"
            actions={
              <Button size="sm" variant="ghost" onClick={() => setPhase({ kind: "idle" })}>
                Dismiss
              </Button>
            }
          >
            <p>{phase.message}</p>
          </Notice>
        )}
      </div>

      <Dialog
        open={confirm !== null}
        onClose={() => setPhase((p) => (p.kind === "confirm" ? { kind: "idle" } : p))}
        wide
        title={confirm?.apply ? `Sync ${DIRECTIONS.find((d) => d.value === direction)!.label}?` : "Sync preview (dry run)"}
        description={
          confirm?.apply
            ? "Nothing has changed yet. This is what the sync would do; review it before applying."
            : "Nothing has changed. This is what a sync with these settings would do right now."
        }
        footer={
          confirm?.apply ? (
            <>
              <Button onClick={() => setPhase({ kind: "idle" })}>Cancel</Button>
              <Button variant={losses > 0 ? "danger" : "primary"} onClick={run} autoFocus={false} data-testid="apply-plan">
                {losses > 0 ? `Apply and discard ${pluralize(losses, "edit")}` : "Apply"}
              </Button>
            </>
          ) : (
            <>
              <Button onClick={() => setPhase({ kind: "idle" })}>Close</Button>
              <Button variant={losses > 0 ? "danger" : "primary"} onClick={run}>
                {losses > 0 ? `Sync now and discard ${pluralize(losses, "edit")}` : "Sync now"}
              </Button>
            </>
          )
        }
      >
        {confirm && <SyncPlanView result={confirm.plan} />}
      </Dialog>
    </section>
  );
}
