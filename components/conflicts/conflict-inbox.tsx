"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState, type ReactNode } from "react";
import { ApiError, apiFetch, errorMessage } from "@/lib/client/api-fetch";
import type { ConflictRecord } from "@/lib/client/api-types";
import { conflictFields, fieldList } from "@/lib/client/conflict-fields";
import { describeKeep, type KeepSide } from "@/lib/client/describe-resolution";
import { CONFLICT_KIND_LABELS, RESOLUTION_LABELS, pluralize } from "@/lib/client/format";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { Notice } from "@/components/ui/notice";
import { RelativeTime } from "@/components/ui/relative-time";
import { Spinner } from "@/components/ui/spinner";
import { Table } from "@/components/ui/table";

type ItemResult = { id: string; taskId: string; status: "resolved" | "stale" | "error"; message?: string };

const SIDE_LABEL = { yaml: "Keep YAML", db: "Keep DB" } as const;

/**
 * The conflict inbox: every conflict with its task, kind and fields. Open ones can be
 * selected and resolved together; the dialog first says what happens to each. With no items it
 * shows `empty`, below the outcome of a bulk resolve that just emptied it.
 */
export function ConflictInbox({ items, empty }: { items: ConflictRecord[]; empty?: ReactNode }) {
  const router = useRouter();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [confirm, setConfirm] = useState<KeepSide | null>(null);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [results, setResults] = useState<ItemResult[] | null>(null);

  const openItems = items.filter((c) => c.status === "open");
  // Conflicts resolved elsewhere drop out of the selection when the list refreshes.
  useEffect(() => {
    setSelected((current) => {
      const stillOpen = new Set(openItems.map((c) => c.id));
      const next = new Set([...current].filter((id) => stillOpen.has(id)));
      return next.size === current.size ? current : next;
    });
  }, [items]);

  const chosen = openItems.filter((c) => selected.has(c.id));
  const allSelected = openItems.length > 0 && chosen.length === openItems.length;

  function toggle(id: string, on: boolean) {
    setSelected((current) => {
      const next = new Set(current);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  }

  async function runBulk(side: KeepSide) {
    const batch = chosen;
    setConfirm(null);
    setResults(null);
    setProgress({ done: 0, total: batch.length });
    const out: ItemResult[] = [];
    for (const conflict of batch) {
      try {
        await apiFetch(`/api/sync/conflicts/${conflict.id}/resolve`, { json: { resolution: side === "yaml" ? "keep_yaml" : "keep_db" } });
        out.push({ id: conflict.id, taskId: conflict.taskId, status: "resolved" });
      } catch (error) {
        const stale = error instanceof ApiError && (error.code === "conflict_stale" || error.code === "conflict_closed");
        out.push({ id: conflict.id, taskId: conflict.taskId, status: stale ? "stale" : "error", message: errorMessage(error) });
      }
      setProgress({ done: out.length, total: batch.length });
    }
    setProgress(null);
    setResults(out);
    setSelected(new Set(out.filter((r) => r.status !== "resolved").map((r) => r.id)));
    router.refresh();
  }

  const resolvedCount = results?.filter((r) => r.status === "resolved").length ?? 0;
  const problems = results?.filter((r) => r.status !== "resolved") ?? [];
  const deletions = confirm ? chosen.filter((c) => describeKeep(c, confirm).deletes).length : 0;

  return (
    <div className="space-y-3">
      {openItems.length > 0 && (
        <div className="flex flex-wrap items-center gap-2 rounded-lg border border-slate-200 bg-white p-2.5 shadow-sm" role="group" aria-label="Bulk actions">
          <span className="px-1 text-sm text-slate-700" aria-live="polite">
            {chosen.length ? `${pluralize(chosen.length, "conflict")} selected` : "Select conflicts to resolve them together"}
          </span>
          <div className="ml-auto flex flex-wrap gap-2">
            <Button size="sm" disabled={!chosen.length || progress !== null} onClick={() => setConfirm("yaml")}>
              Keep YAML for selected…
            </Button>
            <Button size="sm" disabled={!chosen.length || progress !== null} onClick={() => setConfirm("db")}>
              Keep DB for selected…
            </Button>
          </div>
        </div>
      )}

      <div aria-live="polite" className="empty:hidden">
        {progress && (
          <p className="text-sm text-blue-800">
            <Spinner label={`Resolving ${Math.min(progress.done + 1, progress.total)} of ${progress.total}…`} />
          </p>
        )}
        {results && (
          <Notice
            tone={problems.length ? "warning" : "success"}
            title={`${pluralize(resolvedCount, "conflict")} resolved${problems.length ? `, ${problems.length} not` : ""}`}
            actions={
              <Button size="sm" variant="ghost" onClick={() => setResults(null)}>
                Dismiss
              </Button>
            }
          >
            {problems.length > 0 && (
              <ul className="list-disc pl-5">
                {problems.map((p) => (
                  <li key={p.id}>
                    <Link href={`/conflicts/${p.id}`} className="font-mono underline">
                      {p.taskId}
                    </Link>
                    : {p.status === "stale" ? "changed after it was detected; review it again. " : ""}
                    {p.message}
                  </li>
                ))}
              </ul>
            )}
          </Notice>
        )}
      </div>

      {items.length === 0 ? (
        empty
      ) : (
        <Table
          caption="Conflicts"
          testId="conflicts-table"
          columns={[
            {
              className: "w-10",
              label: openItems.length > 0 && (
                <input
                  type="checkbox"
                  aria-label="Select all open conflicts"
                  checked={allSelected}
                  ref={(el) => {
                    if (el) el.indeterminate = chosen.length > 0 && !allSelected;
                  }}
                  onChange={(e) => setSelected(e.target.checked ? new Set(openItems.map((c) => c.id)) : new Set())}
                  className="size-4 accent-blue-700"
                />
              ),
            },
            { label: "Task" },
            { label: "What happened" },
            { label: "Fields (clash first)" },
            { label: "Detected" },
            { label: "Status" },
          ]}
        >
            {items.map((c) => (
              <tr key={c.id} className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 px-3 py-3 md:table-row md:p-0" data-conflict-task={c.taskId}>
                <td className="row-span-5 md:table-cell md:px-3 md:py-3 md:align-top">
                  {c.status === "open" ? (
                    <input
                      type="checkbox"
                      aria-label={`Select conflict on ${c.taskId}`}
                      checked={selected.has(c.id)}
                      onChange={(e) => toggle(c.id, e.target.checked)}
                      className="size-4 accent-blue-700"
                    />
                  ) : null}
                </td>
                <td className="md:table-cell md:px-3 md:py-3 md:align-top">
                  <Link href={`/conflicts/${c.id}`} className="font-mono font-semibold text-blue-700 underline-offset-2 hover:underline">
                    {c.taskId}
                  </Link>
                </td>
                <td className="md:table-cell md:px-3 md:py-3 md:align-top">{CONFLICT_KIND_LABELS[c.kind] ?? c.kind}</td>
                <td className="text-slate-700 md:table-cell md:px-3 md:py-3 md:align-top">
                  <span className="sr-only md:hidden">Fields: </span>
                  <InboxFields conflict={c} />
                </td>
                <td className="text-slate-700 md:table-cell md:px-3 md:py-3 md:align-top md:whitespace-nowrap">
                  <span className="text-xs text-slate-500 md:hidden">Detected </span>
                  <RelativeTime iso={c.detectedAt} />
                </td>
                <td className="md:table-cell md:px-3 md:py-3 md:align-top">
                  {c.status === "open" ? <Badge tone="warning">Open</Badge> : <Badge tone="success">{RESOLUTION_LABELS[c.resolution ?? ""] ?? c.resolution ?? "Resolved"}</Badge>}
                </td>
              </tr>
            ))}
        </Table>
      )}

      <Dialog
        open={confirm !== null}
        onClose={() => setConfirm(null)}
        wide
        title={confirm ? `${SIDE_LABEL[confirm]} for ${pluralize(chosen.length, "conflict")}?` : ""}
        description={
          confirm
            ? `For each task below, the ${confirm === "yaml" ? "YAML file's" : "database's"} version wins and is written to the other side. A conflict that changed since it was detected is skipped and refreshed.`
            : undefined
        }
        footer={
          <>
            <Button onClick={() => setConfirm(null)}>Cancel</Button>
            <Button variant={deletions ? "danger" : "primary"} onClick={() => confirm && runBulk(confirm)}>
              {confirm ? `${SIDE_LABEL[confirm]} for ${pluralize(chosen.length, "conflict")}` : ""}
              {deletions ? ` (deletes ${deletions})` : ""}
            </Button>
          </>
        }
      >
        {confirm && (
          <ul className="divide-y divide-slate-100 text-sm" data-testid="bulk-plan">
            {chosen.map((c) => {
              const what = describeKeep(c, confirm);
              return (
                <li key={c.id} className="py-2">
                  <span className="font-mono font-semibold">{c.taskId}</span>
                  {what.deletes && (
                    <Badge tone="danger" className="ml-2">
                      deletes the task
                    </Badge>
                  )}
                  <p className={what.deletes ? "text-red-800" : "text-slate-700"}>{what.summary}</p>
                </li>
              );
            })}
          </ul>
        )}
      </Dialog>
    </div>
  );
}

/** The clashing fields first; fields that merge on their own, or a deletion, after them. */
function InboxFields({ conflict }: { conflict: ConflictRecord }) {
  const fields = conflictFields(conflict.base, conflict.yaml, conflict.db);
  if (fields.deletedIn) {
    const changed = fields.deletedIn === "yaml" ? fields.fromDb : fields.fromYaml;
    return (
      <span>
        Deleted in {fields.deletedIn === "yaml" ? "YAML" : "DB"}
        {changed.length > 0 && <span className="text-slate-600">; changed in {fields.deletedIn === "yaml" ? "DB" : "YAML"}: {fieldList(changed)}</span>}
      </span>
    );
  }
  const merging = [...fields.fromYaml, ...fields.fromDb.filter((f) => !fields.fromYaml.includes(f))];
  return (
    <span>
      <strong className="font-semibold">{fieldList(fields.clash) || "—"}</strong>
      {merging.length > 0 && <span className="block text-xs text-slate-600">merge on their own: {fieldList(merging)}</span>}
    </span>
  );
}
