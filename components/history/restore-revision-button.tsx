"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiFetch, errorMessage } from "@/lib/client/api-fetch";
import type { RestoreResult } from "@/lib/sync/engine/restore-revision";
import { Button } from "@/components/ui/button";
import { Notice } from "@/components/ui/notice";
import { RestorePlanList } from "./restore-plan-list";

/**
 * "Restore this revision" (issue #17) on one revision's page: a dry run first lists what would
 * change on both sides; confirming writes the revision's tasks to both in one run.
 */
export function RestoreRevisionButton({ revisionId, canApply }: { revisionId: string; canApply: boolean }) {
  const router = useRouter();
  const [plan, setPlan] = useState<RestoreResult | null>(null);
  const [done, setDone] = useState<RestoreResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const restore = async (dryRun: boolean) => {
    setBusy(true);
    setError(null);
    try {
      const result = await apiFetch<RestoreResult>(`/api/sync/revisions/${revisionId}/restore`, { json: { dryRun } });
      setPlan(dryRun ? result : null);
      setDone(dryRun ? null : result);
      if (!dryRun) router.refresh();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="space-y-3">
      {error && <Notice tone="error" title="The restore failed">{error}</Notice>}
      {done && (
        <Notice tone="success" title="Restored">
          <span data-testid="restore-done">
            {done.changes.length === 0 ? "Both sides already held this revision." : <>{done.changes.length} task(s) restored on both sides</>}
            {done.runId && (
              <>
                {" "}
                in <Link href={`/history/${done.runId}`} className="underline">this run</Link>
              </>
            )}
            .
          </span>
        </Notice>
      )}
      {plan ? (
        <Notice tone="warning" title={plan.changes.length === 0 ? "Nothing to restore: both sides hold this revision" : `Restoring would change ${plan.changes.length} task(s) on both sides`}>
          <RestorePlanList changes={plan.changes} />
          <div className="mt-2 flex flex-wrap items-center gap-2">
            {plan.changes.length > 0 &&
              (canApply ? (
                <Button variant="danger" size="sm" disabled={busy} onClick={() => restore(false)}>
                  Restore these tasks
                </Button>
              ) : (
                <span className="text-sm">Writing a restore needs the admin role.</span>
              ))}
            <Button variant="secondary" size="sm" disabled={busy} onClick={() => setPlan(null)}>
              Cancel
            </Button>
          </div>
        </Notice>
      ) : (
        <Button variant="secondary" disabled={busy} onClick={() => restore(true)}>
          Restore this revision…
        </Button>
      )}
    </div>
  );
}
