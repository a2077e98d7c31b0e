"use client";

import Link from "next/link";
import { useState } from "react";
import { apiFetch, errorMessage } from "@/lib/client/api-fetch";
import { pluralize } from "@/lib/client/format";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { Notice } from "@/components/ui/notice";
import { Spinner } from "@/components/ui/spinner";

type Side = "yaml" | "db";
type Action = "apply" | "restore";

interface Decision {
  taskIds: string[];
  skipped: string[];
}

const WHERE = { yaml: "the YAML file", db: "the database" } as const;
const OTHER = { yaml: "the database", db: "the YAML file" } as const;

/**
 * Mass deletions held by the delete guard, one side at a time: the list of tasks first (a dry
 * run of the decision), then "delete them from the other side too" (red) or "restore them".
 */
export function HeldDeletionsPanel({ held, canDecide = true }: { held: Record<Side, number>; /** Deciding is an admin's (issue #18). */ canDecide?: boolean }) {
  return (
    <>
      {(["yaml", "db"] as const)
        .filter((side) => held[side] > 0)
        .map((side) =>
          canDecide ? (
            <HeldSide key={side} side={side} count={held[side]} />
          ) : (
            <p key={side} className="text-sm" data-testid="held-needs-admin">
              {count(held[side])} deleted in {WHERE[side]} {held[side] === 1 ? "is" : "are"} held; an admin decides whether {OTHER[side]} deletes them too.
            </p>
          ),
        )}
    </>
  );
}

const count = (n: number) => `${n} ${n === 1 ? "task" : "tasks"}`;

function HeldSide({ side, count }: { side: Side; count: number }) {
  const [phase, setPhase] = useState<{ kind: "idle" } | { kind: "loading" } | { kind: "review"; action: Action; plan: Decision } | { kind: "busy" } | { kind: "failed"; message: string }>({
    kind: "idle",
  });

  async function review(action: Action) {
    setPhase({ kind: "loading" });
    try {
      const plan = await apiFetch<Decision>("/api/sync/held-deletions", { json: { deletedIn: side, action, dryRun: true } });
      setPhase({ kind: "review", action, plan });
    } catch (error) {
      setPhase({ kind: "failed", message: errorMessage(error) });
    }
  }

  async function decide(action: Action) {
    setPhase({ kind: "busy" });
    try {
      await apiFetch<Decision>("/api/sync/held-deletions", { json: { deletedIn: side, action } });
      setPhase({ kind: "idle" });
    } catch (error) {
      setPhase({ kind: "failed", message: errorMessage(error) });
    }
  }

  const reviewing = phase.kind === "review" ? phase : null;
  return (
    <Notice tone="warning" title={`${pluralize(count, "task was", "tasks were")} deleted in ${WHERE[side]} at once: the deletions are held`} role="status">
      <p>
        More tasks than the delete guard allows (SYNC_DELETE_GUARD) disappeared from {WHERE[side]} in one go, as a half-written file or a mistaken
        query would do. They are still in {OTHER[side]}, and nothing else waits for them; a file completed again releases them by itself.
      </p>
      <div className="mt-2 flex flex-wrap gap-2">
        <Button onClick={() => void review("restore")} disabled={phase.kind === "loading" || phase.kind === "busy"} data-testid={`held-${side}-restore`}>
          Restore them in {WHERE[side]}…
        </Button>
        <Button variant="danger" onClick={() => void review("apply")} disabled={phase.kind === "loading" || phase.kind === "busy"} data-testid={`held-${side}-apply`}>
          Delete them from {OTHER[side]} too…
        </Button>
        <Link href="/conflicts" className="self-center text-sm text-blue-700 underline underline-offset-2">
          See them among the conflicts
        </Link>
        {(phase.kind === "loading" || phase.kind === "busy") && <Spinner label={phase.kind === "busy" ? "Applying…" : "Loading the list…"} />}
      </div>
      {phase.kind === "failed" && <p className="mt-2 text-red-800">{phase.message}</p>}
      <Dialog
        open={reviewing !== null}
        onClose={() => setPhase({ kind: "idle" })}
        wide
        title={reviewing?.action === "apply" ? `Delete ${pluralize(reviewing.plan.taskIds.length, "task")} from ${OTHER[side]} too?` : `Restore ${pluralize(reviewing?.plan.taskIds.length ?? 0, "task")} in ${WHERE[side]}?`}
        description={
          reviewing?.action === "apply"
            ? `They will be gone from both sides. The run is recorded in History, and each task's last version stays in its history.`
            : `They are written back to ${WHERE[side]} as ${OTHER[side]} has them.`
        }
        footer={
          reviewing && (
            <>
              <Button onClick={() => setPhase({ kind: "idle" })}>Cancel</Button>
              <Button variant={reviewing.action === "apply" ? "danger" : "primary"} onClick={() => void decide(reviewing.action)} data-testid="held-confirm">
                {reviewing.action === "apply" ? `Delete ${pluralize(reviewing.plan.taskIds.length, "task")}` : `Restore ${pluralize(reviewing.plan.taskIds.length, "task")}`}
              </Button>
            </>
          )
        }
      >
        {reviewing && (
          <>
            <ul className="max-h-72 list-disc overflow-auto pl-5 font-mono text-xs" data-testid="held-list">
              {reviewing.plan.taskIds.map((id) => (
                <li key={id}>{id}</li>
              ))}
            </ul>
            {reviewing.plan.skipped.length > 0 && (
              <p className="mt-2 text-sm text-slate-700">
                {pluralize(reviewing.plan.skipped.length, "task was", "tasks were")} changed since it was held and is left to the ordinary conflict view:{" "}
                <span className="font-mono text-xs">{reviewing.plan.skipped.join(", ")}</span>
              </p>
            )}
          </>
        )}
      </Dialog>
    </Notice>
  );
}
