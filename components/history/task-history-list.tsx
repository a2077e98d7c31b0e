"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { tasksEqual, type Task } from "@/lib/tasks/task-fields";
import { apiFetch, errorMessage } from "@/lib/client/api-fetch";
import type { TaskChange, TaskWriteResult } from "@/lib/client/api-types";
import { TRIGGER_LABELS, formatDateTime } from "@/lib/client/format";
import { changeActorLabel } from "@/lib/people/actor";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { Notice } from "@/components/ui/notice";
import { RelativeTime } from "@/components/ui/relative-time";
import { Spinner } from "@/components/ui/spinner";
import { TaskSavedNotice } from "@/components/tasks/task-saved-notice";
import { TaskChangeDiff, changeSummary } from "./task-change-diff";

interface Entry {
  runId: string;
  trigger: string;
  /** Who made it (issue #18). */
  by: string;
  createdAt: string;
  changes: TaskChange[];
  /** The version right after this run's change(s). */
  after: Task | null;
  before: Task | null;
  revertId: string;
}

/** One entry per sync run: a run usually writes the same value to both sides. */
function group(items: TaskChange[]): Entry[] {
  const entries: Entry[] = [];
  const byRun = new Map<string, Entry>();
  for (const change of items) {
    let entry = byRun.get(change.runId);
    if (!entry) {
      entry = { runId: change.runId, trigger: change.trigger, by: changeActorLabel(change), createdAt: change.createdAt, changes: [], after: change.after, before: change.before, revertId: change.id };
      byRun.set(change.runId, entry);
      entries.push(entry);
    }
    entry.changes.push(change);
  }
  // The DB side's before/after describes the task best (YAML writes mirror it).
  for (const entry of entries) {
    const db = entry.changes.find((c) => c.side === "db");
    if (db) {
      entry.before = db.before;
      entry.after = db.after;
      entry.revertId = db.id;
      entry.by = changeActorLabel(db);
    }
  }
  return entries;
}

function same(a: Task | null, b: Task | null): boolean {
  return a === null || b === null ? a === b : tasksEqual(a, b);
}

const ACTION_TONE = { create: "success", update: "info", delete: "danger", rename: "info" } as const;

/**
 * How an entry reads in the history of `taskId`, which follows renames back: "renamed from X" on
 * the rename into it, "renamed to Y" on its rename away, "as X" on a change made before a rename.
 */
function renameLabel(entry: Entry, taskId: string): string | null {
  const rename = entry.changes.find((c) => c.action === "rename");
  if (rename) return rename.after?.id === taskId ? `renamed from ${rename.before?.id}` : `renamed to ${rename.after?.id}`;
  const other = entry.changes[0]?.taskId;
  return other && other !== taskId ? `as ${other}` : null;
}

/** A version of another id (before a rename, or a rename away) cannot be reverted to under this one from here. */
function revertible(entry: Entry, taskId: string): boolean {
  return entry.changes.every((c) => c.taskId === taskId && (c.action !== "rename" || c.after?.id === taskId));
}

/**
 * A task's own history, newest first. Reverting to an earlier version first shows what it
 * changes against the current version and asks.
 */
export function TaskHistoryList({ taskId, items, current }: { taskId: string; items: TaskChange[]; current: Task | null }) {
  const router = useRouter();
  const [busy, setBusy] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<Entry | null>(null);
  const [outcome, setOutcome] = useState<{ ok: true; entry: Entry; result: TaskWriteResult } | { ok: false; message: string } | null>(null);
  const entries = group(items);
  // Newest first: only the newest entry equal to the current version is it (a task deleted
  // twice has two entries equal to "absent").
  const currentIndex = entries.findIndex((entry) => same(entry.after, current));

  async function revert(entry: Entry) {
    setConfirm(null);
    setBusy(entry.revertId);
    setOutcome(null);
    try {
      const result = await apiFetch<TaskWriteResult>(`/api/tasks/${encodeURIComponent(taskId)}/revert`, { json: { changeId: entry.revertId } });
      setOutcome({ ok: true, entry, result });
      router.refresh();
    } catch (error) {
      setOutcome({ ok: false, message: errorMessage(error) });
    } finally {
      setBusy(null);
    }
  }

  if (entries.length === 0) {
    return <EmptyState title="No recorded changes yet">Changes appear here once a sync, an edit or a conflict resolution touches this task.</EmptyState>;
  }

  return (
    <div className="space-y-3">
      <div aria-live="polite" className="empty:hidden">
        {outcome?.ok === true && (
          <div className="space-y-2">
            <p className="text-sm font-semibold text-green-800">
              Reverted to the version of {formatDateTime(outcome.entry.createdAt)}
              {outcome.result.task === null ? " (the task is deleted)" : ""}.
            </p>
            {(outcome.result.conflict || outcome.result.merged) && <TaskSavedNotice result={outcome.result} />}
          </div>
        )}
        {outcome?.ok === false && (
          <Notice tone="error" title="Could not revert">
            <p>{outcome.message}</p>
          </Notice>
        )}
      </div>
      <ol className="space-y-3" data-testid="task-history">
        {entries.map((entry, index) => {
          const isCurrent = index === currentIndex;
          const rename = renameLabel(entry, taskId);
          const isRename = entry.changes.some((c) => c.action === "rename");
          return (
            <li key={entry.runId} className="rounded-lg border border-slate-200 bg-white p-3 shadow-sm">
              <div className="flex flex-wrap items-start justify-between gap-2">
                <div className="min-w-0 space-y-1">
                  <p className="text-sm">
                    <span className="font-semibold" data-testid={isRename ? "change-rename" : undefined}>
                      {isRename ? rename : changeSummary(entry.before, entry.after)}
                    </span>
                    {rename && !isRename && <span className="text-slate-700"> ({rename})</span>}
                    <span className="text-slate-600">
                      {" "}
                      · <span data-testid="change-actor">{entry.by}</span> · {TRIGGER_LABELS[entry.trigger] ?? entry.trigger} · <RelativeTime iso={entry.createdAt} />
                    </span>
                  </p>
                  <p className="flex flex-wrap gap-1.5 text-xs">
                    {entry.changes.map((c) => (
                      <Badge key={c.id} tone={ACTION_TONE[c.action]}>
                        {c.side === "db" ? "Database" : "YAML"}: {c.action}
                      </Badge>
                    ))}
                    <Link href={`/history/${entry.runId}`} className="text-blue-700 underline-offset-2 hover:underline">
                      sync run
                    </Link>
                  </p>
                </div>
                {isCurrent ? (
                  <Badge tone="success">Current version</Badge>
                ) : !revertible(entry, taskId) ? null : (
                  <Button
                    size="sm"
                    disabled={busy !== null}
                    onClick={() => setConfirm(entry)}
                    // The accessible name starts with the visible words (WCAG 2.5.3, label in name), then says which version.
                    aria-label={`${revertLabel(entry)} ${taskId}, ${formatDateTime(entry.createdAt)}`}
                  >
                    {busy === entry.revertId ? <Spinner label="Reverting…" /> : revertLabel(entry)}
                  </Button>
                )}
              </div>
              <details className="mt-2">
                <summary className="w-fit text-sm text-blue-700">Before and after</summary>
                <div className="mt-2">
                  <TaskChangeDiff before={entry.before} after={entry.after} />
                </div>
              </details>
            </li>
          );
        })}
      </ol>
      <Dialog
        open={confirm !== null}
        onClose={() => setConfirm(null)}
        wide
        title={confirm?.after === null ? "Revert to a deleted state?" : `Revert ${taskId} to the version of ${confirm ? formatDateTime(confirm.createdAt) : ""}?`}
        description={
          confirm?.after === null
            ? `Right after that change the task did not exist, so reverting deletes ${taskId} from the database and the YAML file. You can restore it again from this history.`
            : current === null
              ? "The task is deleted now: reverting brings it back on both sides with these values."
              : "This is what changes against the current version, on both sides (database and YAML file)."
        }
        footer={
          <>
            <Button onClick={() => setConfirm(null)}>Cancel</Button>
            <Button variant={confirm?.after === null ? "danger" : "primary"} onClick={() => confirm && revert(confirm)} data-testid="confirm-revert">
              {confirm?.after === null ? "Delete the task" : "Revert"}
            </Button>
          </>
        }
      >
        {confirm && (
          <div data-testid="revert-diff">
            <TaskChangeDiff before={current} after={confirm.after} labels={["Current", "After revert"]} />
          </div>
        )}
      </Dialog>
    </div>
  );
}

function revertLabel(entry: { after: unknown }): string {
  return entry.after === null ? "Revert (deletes the task)…" : "Revert to this version…";
}
