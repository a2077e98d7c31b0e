import Link from "next/link";
import type { TaskField } from "@/lib/tasks/task-schema";
import type { TaskWriteResult } from "@/lib/client/api-types";
import { conflictFields, fieldList } from "@/lib/client/conflict-fields";
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
          <ConflictWords conflict={result.conflict} />
        </Notice>
      )}
    </div>
  );
}

/** Says exactly what clashed: the fields both sides changed, apart from those that merge, or a deletion. */
function ConflictWords({ conflict }: { conflict: NonNullable<TaskWriteResult["conflict"]> }) {
  if (!conflict.base && !conflict.yaml && !conflict.db) {
    return <p>The YAML file has an unsynced hand edit of this task. Your value is kept in the database; the file was not overwritten. Pick which version wins.</p>;
  }
  const fields = conflictFields(conflict.base, conflict.yaml, conflict.db);
  if (fields.deletedIn === "yaml") {
    return <p>The task was deleted from the YAML file by hand, and that deletion has not been synced yet. Your edit is kept in the database; the file was not changed. Pick whether the task stays deleted.</p>;
  }
  if (fields.deletedIn === "db") {
    return <p>The task was deleted from the database while the YAML file holds an unsynced hand edit of it. Pick which version wins.</p>;
  }
  return (
    <p>
      The YAML file has an unsynced hand edit of {fieldList(fields.clash) || "the same fields"}, which you changed too.
      {fields.fromYaml.length > 0 && ` Its edit of ${fieldList(fields.fromYaml)} merges on its own.`} Your value is kept in the database; the file was not
      overwritten. Pick which version wins.
    </p>
  );
}
