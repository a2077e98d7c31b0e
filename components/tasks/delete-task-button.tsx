"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { ApiError, apiFetch, errorMessage } from "@/lib/client/api-fetch";
import type { StoredTask, TaskWriteResult } from "@/lib/client/api-types";
import { SOURCE_LABELS } from "@/lib/client/format";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { Notice } from "@/components/ui/notice";
import { Spinner } from "@/components/ui/spinner";

/** Deletes a task from both sides after a confirmation, guarded by its version. */
export function DeleteTaskButton({ task }: { task: StoredTask }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<{ title: string; message: string; conflictId?: string } | null>(null);

  async function remove() {
    setBusy(true);
    setProblem(null);
    try {
      const result = await apiFetch<TaskWriteResult>(`/api/tasks/${encodeURIComponent(task.id)}?version=${task.version}`, { method: "DELETE" });
      setOpen(false);
      if (result.conflict) {
        setProblem({
          title: "Deleted from the database, but the YAML file has a hand edit of this task",
          message: "The file was not changed. Decide in the conflict whether the task stays deleted or keeps the edit.",
          conflictId: result.conflict.id,
        });
        router.refresh();
        return;
      }
      router.push(`/?deleted=${encodeURIComponent(task.id)}`);
    } catch (error) {
      setOpen(false);
      if (error instanceof ApiError && error.code === "stale_version") {
        const current = (error.details as { current?: StoredTask } | undefined)?.current;
        setProblem({
          title: "Not deleted: someone else changed this task",
          message: `It is now at version ${current?.version ?? "?"}${current ? ` (changed by ${SOURCE_LABELS[current.source] ?? current.source})` : ""}. The page shows their version; check it and delete again if you still want to.`,
        });
        router.refresh();
        return;
      }
      setProblem({ title: "Could not delete the task", message: errorMessage(error) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="space-y-3">
      <Button variant="danger" onClick={() => setOpen(true)} disabled={busy}>
        {busy ? <Spinner label="Deleting…" /> : "Delete task…"}
      </Button>
      {problem && (
        <Notice
          tone={problem.conflictId ? "warning" : "error"}
          title={problem.title}
          actions={
            problem.conflictId ? (
              <Link href={`/conflicts/${problem.conflictId}`} className="text-sm font-semibold underline">
                Resolve the conflict
              </Link>
            ) : undefined
          }
        >
          <p>{problem.message}</p>
        </Notice>
      )}
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        title={`Delete ${task.id}?`}
        description="The task is removed from the database and from the YAML file. Its history stays, so you can restore it later."
        footer={
          <>
            <Button onClick={() => setOpen(false)} disabled={busy}>
              Cancel
            </Button>
            <Button variant="danger" onClick={remove} disabled={busy}>
              {busy ? <Spinner label="Deleting…" /> : "Delete"}
            </Button>
          </>
        }
      />
    </div>
  );
}
