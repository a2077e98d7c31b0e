"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import type { Task } from "@/lib/tasks/task-schema";
import { ApiError, apiFetch, errorMessage } from "@/lib/client/api-fetch";
import type { ConflictDetail, ConflictRecord, ResolveResult } from "@/lib/client/api-types";
import { describeKeep, type KeepSide } from "@/lib/client/describe-resolution";
import { FIELD_LABELS, RESOLUTION_LABELS, formatDateTime } from "@/lib/client/format";
import type { FieldErrors } from "@/lib/client/field-errors";
import { Button } from "@/components/ui/button";
import { Notice } from "@/components/ui/notice";
import { Spinner } from "@/components/ui/spinner";
import { MergeEditor } from "./merge-editor";

type Resolution = "keep_yaml" | "keep_db" | "merge";

type Outcome =
  | { kind: "resolved"; resolution: Resolution; result: ResolveResult }
  | { kind: "stale"; message: string; refreshed: ConflictRecord | null }
  | { kind: "error"; message: string };

/** Strips the `merged.` prefix the API puts on a merged task's field errors. */
function mergedFieldErrors(error: unknown): FieldErrors {
  if (!(error instanceof ApiError) || !Array.isArray(error.details)) return {};
  const errors: FieldErrors = {};
  for (const detail of error.details as { field?: string; message?: string }[]) {
    if (typeof detail?.field !== "string" || typeof detail.message !== "string") continue;
    const field = detail.field.replace(/^merged\.?/, "").split(".")[0] || "form";
    errors[field] = detail.message;
  }
  return errors;
}

/**
 * Resolve buttons (keep the YAML or the DB version) and the merge editor. A stale
 * resolve (a side changed after detection) is explained and the refreshed conflict
 * is shown: the page re-renders with it, and the editor starts over from it.
 */
export function ConflictResolver({ conflict, nextOpenId }: { conflict: ConflictDetail; nextOpenId: string | null }) {
  const router = useRouter();
  const [busy, setBusy] = useState<Resolution | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [mergeErrors, setMergeErrors] = useState<FieldErrors>({});
  const messageRef = useRef<HTMLDivElement>(null);
  const open = conflict.status === "open";

  async function resolve(resolution: Resolution, merged?: Task) {
    setBusy(resolution);
    setOutcome(null);
    setMergeErrors({});
    try {
      const result = await apiFetch<ResolveResult>(`/api/sync/conflicts/${conflict.id}/resolve`, { json: { resolution, ...(merged ? { merged } : {}) } });
      setOutcome({ kind: "resolved", resolution, result });
    } catch (error) {
      if (error instanceof ApiError && error.code === "conflict_stale") {
        const refreshed = (error.details as { conflict?: ConflictRecord | null } | undefined)?.conflict ?? null;
        setOutcome({ kind: "stale", message: error.message, refreshed });
        if (refreshed && refreshed.id !== conflict.id) router.push(`/conflicts/${refreshed.id}`);
      } else if (error instanceof ApiError && error.code === "conflict_closed") {
        setOutcome({ kind: "error", message: `${error.message}. The page now shows how it was resolved.` });
      } else {
        const fields = resolution === "merge" ? mergedFieldErrors(error) : {};
        if (Object.keys(fields).length) setMergeErrors(fields);
        else setOutcome({ kind: "error", message: errorMessage(error) });
      }
    } finally {
      setBusy(null);
      router.refresh();
      requestAnimationFrame(() => messageRef.current?.focus());
    }
  }

  const keep = (side: KeepSide) => describeKeep(conflict, side);
  const canMerge = conflict.yaml !== null && conflict.db !== null && conflict.proposal !== null;

  return (
    <div className="space-y-5">
      <div ref={messageRef} tabIndex={-1} aria-live="polite" className="space-y-3 focus:outline-none" data-testid="resolve-outcome">
        {outcome?.kind === "resolved" && (
          <Notice
            tone="success"
            title={`Resolved: ${RESOLUTION_LABELS[outcome.resolution]}`}
            actions={
              <>
                {nextOpenId && (
                  <Link href={`/conflicts/${nextOpenId}`} className="text-sm font-semibold underline">
                    Next open conflict
                  </Link>
                )}
                <Link href="/conflicts" className="text-sm underline">
                  Back to the conflicts
                </Link>
                {outcome.result.task && (
                  <Link href={`/tasks/${outcome.result.task.id}`} className="text-sm underline">
                    View the task
                  </Link>
                )}
              </>
            }
          >
            <p>
              {outcome.result.task ? "The YAML file and the database now hold the same version of the task." : "The task is now deleted on both sides."}
            </p>
          </Notice>
        )}
        {outcome?.kind === "stale" && (
          <Notice tone="warning" title="Not resolved: the task changed after this conflict was detected">
            <p>{outcome.message}</p>
            {outcome.refreshed ? (
              <p>
                The refreshed conflict is shown below (updated {formatDateTime(outcome.refreshed.updatedAt)}); the sides now differ in{" "}
                <strong>{outcome.refreshed.fields.map((f) => FIELD_LABELS[f as keyof typeof FIELD_LABELS] ?? f).join(", ") || "no field"}</strong>. Review it and
                choose again.
              </p>
            ) : (
              <p>Nothing is left to resolve.</p>
            )}
          </Notice>
        )}
        {outcome?.kind === "error" && (
          <Notice tone="error" title="Could not resolve the conflict">
            <p>{outcome.message}</p>
          </Notice>
        )}
      </div>

      {!open ? (
        outcome?.kind !== "resolved" && (
          <Notice tone="info" title={`Resolved: ${RESOLUTION_LABELS[conflict.resolution ?? ""] ?? conflict.resolution ?? "—"}`}>
            <p>Resolved {formatDateTime(conflict.resolvedAt)}. Both sides agreed on the task afterwards; its history shows what was written.</p>
          </Notice>
        )
      ) : (
        <>
          <section aria-labelledby="keep-title" className="space-y-3">
            <h3 id="keep-title" className="text-base font-semibold">
              Keep one version
            </h3>
            <div className="grid gap-3 md:grid-cols-2">
              {(["yaml", "db"] as const).map((side) => {
                const what = keep(side);
                const resolution = side === "yaml" ? "keep_yaml" : "keep_db";
                return (
                  <div key={side} className="flex flex-col justify-between gap-3 rounded-md border border-slate-200 p-3">
                    <p className="text-sm text-slate-700" id={`keep-${side}-desc`}>
                      {what.summary}
                    </p>
                    <Button
                      variant={what.deletes ? "danger" : "secondary"}
                      disabled={busy !== null}
                      onClick={() => resolve(resolution)}
                      aria-describedby={`keep-${side}-desc`}
                      data-testid={resolution}
                    >
                      {busy === resolution ? <Spinner label="Resolving…" /> : side === "yaml" ? "Keep the YAML version" : "Keep the database version"}
                    </Button>
                  </div>
                );
              })}
            </div>
          </section>
          <section aria-labelledby="merge-title" className="space-y-3">
            <h3 id="merge-title" className="text-base font-semibold">
              Or merge field by field
            </h3>
            {canMerge ? (
              <MergeEditor
                key={conflict.updatedAt}
                conflict={conflict as ConflictDetail & { yaml: Task; db: Task }}
                proposal={conflict.proposal!}
                busy={busy === "merge"}
                serverErrors={mergeErrors}
                onSave={(merged) => resolve("merge", merged)}
              />
            ) : (
              <p className="text-sm text-slate-600">One side deleted the task, so there is nothing to merge: keep one of the versions.</p>
            )}
          </section>
        </>
      )}
    </div>
  );
}
