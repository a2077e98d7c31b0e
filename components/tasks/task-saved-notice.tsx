import Link from "next/link";
import type { TaskField } from "@/lib/tasks/task-schema";
import type { TaskWriteResult } from "@/lib/client/api-types";
import { FIELD_LABELS } from "@/lib/client/format";
import { Notice } from "@/components/ui/notice";

/** What happened after a save, including the hand edits the sync found in the YAML file. */
export function TaskSavedNotice({ result, fields, created = false }: { result: Pick<TaskWriteResult, "conflict" | "merged">; fields?: TaskField[]; created?: boolean }) {
  return (
    <div className="space-y-3">
      <Notice tone="success" title={created ? "Task created" : "Saved"}>
        <p>
          {fields && fields.length > 0 ? `Changed ${fields.map((f) => FIELD_LABELS[f]).join(", ")}. ` : ""}
          Written to the database{result.conflict ? "" : " and the YAML file"}.
        </p>
      </Notice>
      {result.merged && (
        <Notice tone="info" title="A hand edit was merged">
          <p>The YAML file had an unsynced hand edit of other fields of this task. It was merged in, so the task now holds both changes.</p>
        </Notice>
      )}
      {result.conflict && (
        <Notice
          tone="warning"
          title="Conflict with a hand edit in the YAML file"
          actions={
            <Link href={`/conflicts/${result.conflict.id}`} className="text-sm font-semibold text-amber-950 underline">
              Resolve the conflict
            </Link>
          }
        >
          <p>
            The YAML file has an unsynced hand edit of the same field{result.conflict.fields.length === 1 ? "" : "s"} (
            {result.conflict.fields.map((f) => FIELD_LABELS[f as TaskField] ?? f).join(", ")}). Your value is kept in the database; the file was not overwritten.
            Pick which version wins.
          </p>
        </Notice>
      )}
    </div>
  );
}
