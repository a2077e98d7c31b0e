"use client";

import Link from "next/link";
import { useState } from "react";
import { apiFetch, errorMessage } from "@/lib/client/api-fetch";
import { REVISION_AUTHORS } from "@/lib/client/format";
import type { RestoreResult } from "@/lib/sync/engine/restore-revision";
import type { RevisionRecord } from "@/lib/sync/storage/revisions";
import { Button } from "@/components/ui/button";
import { Notice } from "@/components/ui/notice";
import { RelativeTime } from "@/components/ui/relative-time";
import { RestorePlanList } from "./restore-plan-list";

/**
 * The file's revisions (issue #17) with "Restore…": a dry run first shows which tasks would change,
 * then one run writes the revision's tasks to both sides.
 */
export function RevisionsPanel({ revisions }: { revisions: RevisionRecord[] }) {
  const [plan, setPlan] = useState<RestoreResult | null>(null);
  const [done, setDone] = useState<RestoreResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const restore = async (id: string, dryRun: boolean) => {
    setBusy(true);
    setError(null);
    try {
      const result = await apiFetch<RestoreResult>(`/api/sync/revisions/${id}/restore`, { json: { dryRun } });
      if (dryRun) {
        setPlan(result);
        setDone(null);
      } else {
        setPlan(null);
        setDone(result);
      }
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  if (revisions.length === 0) return <p className="text-sm text-slate-600">No revisions yet: the first sync records one.</p>;
  return (
    <div className="space-y-3">
      {error && <Notice tone="error" title="The restore failed">{error}</Notice>}
      {done && (
        <Notice tone="success" title="Restored">
          {done.changes.length === 0 ? "Both sides already held that revision." : <>{done.changes.length} task(s) restored{done.runId && <> in <Link href={`/history/${done.runId}`} className="underline">this run</Link></>}.</>}
        </Notice>
      )}
      {plan && (
        <Notice tone="warning" title={plan.changes.length === 0 ? "Nothing to restore" : `Restoring would change ${plan.changes.length} task(s) on both sides`}>
          <RestorePlanList changes={plan.changes} />
          <div className="mt-2 flex gap-2">
            {plan.changes.length > 0 && (
              <Button variant="danger" size="sm" disabled={busy} onClick={() => restore(plan.revisionId, false)}>
                Restore these tasks
              </Button>
            )}
            <Button variant="secondary" size="sm" disabled={busy} onClick={() => setPlan(null)}>
              Cancel
            </Button>
          </div>
        </Notice>
      )}
      <table className="w-full text-left text-sm">
        <thead className="text-slate-600">
          <tr>
            <th className="py-1 font-medium">When</th>
            <th className="py-1 font-medium">Source</th>
            <th className="py-1 font-medium">Tasks</th>
            <th className="py-1 font-medium">Changed</th>
            <th className="py-1" />
          </tr>
        </thead>
        <tbody>
          {revisions.map((r, i) => (
            <tr key={r.id} className="border-t border-slate-100">
              <td className="py-1">
                <Link href={`/history/revisions/${r.id}`} className="text-blue-700 underline underline-offset-2">
                  <RelativeTime iso={r.createdAt} /> <span className="font-mono text-xs">{r.id.slice(0, 8)}</span>
                </Link>
              </td>
              <td className="py-1">
                {REVISION_AUTHORS[r.source] ?? r.source}
                {r.ancestorId && <span className="text-slate-600"> (from an older version)</span>}
                {r.runId && (
                  <>
                    {" · "}
                    <Link href={`/history/${r.runId}`} className="text-blue-700 underline underline-offset-2">
                      run
                    </Link>
                  </>
                )}
              </td>
              <td className="py-1">{r.taskCount}</td>
              <td className="py-1 font-mono text-xs">{[r.added && `+${r.added}`, r.changed && `~${r.changed}`, r.removed && `-${r.removed}`].filter(Boolean).join(" ") || "—"}</td>
              <td className="py-1 text-right">
                {i > 0 && (
                  <Button variant="secondary" size="sm" disabled={busy} onClick={() => restore(r.id, true)}>
                    Restore…
                  </Button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
