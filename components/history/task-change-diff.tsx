import { TASK_FIELDS, changedFields, type Task } from "@/lib/tasks/task-fields";
import { FIELD_LABELS, formatFieldValue } from "@/lib/client/format";
import { FieldValuesTable } from "@/components/tasks/field-values-table";

/**
 * Before/after of one task change, field by field. Only the fields that changed
 * are listed, unless the task was created or deleted (then every field is).
 */
export function TaskChangeDiff({ before, after, labels = ["Before", "After"] }: { before: Task | null; after: Task | null; labels?: [string, string] }) {
  const fields = before && after ? changedFields(before, after) : TASK_FIELDS;
  if (fields.length === 0) return <p className="text-sm text-slate-600">No field changed.</p>;
  return (
    <div className="overflow-x-auto">
      <FieldValuesTable
        caption={`Field values: ${labels[0]} → ${labels[1]}`}
        headers={labels}
        rows={fields.map((field) => ({
          field,
          values: [
            before ? (
              <span className="rounded bg-red-50 px-1 text-red-900">
                <span className="sr-only">was </span>
                {formatFieldValue(field, before[field])}
              </span>
            ) : (
              <span className="font-sans text-slate-600">(absent)</span>
            ),
            after ? (
              <span className="rounded bg-green-50 px-1 text-green-900">
                <span className="sr-only">now </span>
                {formatFieldValue(field, after[field])}
              </span>
            ) : (
              <span className="font-sans text-slate-600">(deleted)</span>
            ),
          ],
        }))}
      />
    </div>
  );
}

/** "schedule, tags" / "created" / "deleted" for a one-line summary. */
export function changeSummary(before: Task | null, after: Task | null): string {
  if (!before && after) return "created";
  if (before && !after) return "deleted";
  if (!before || !after) return "—";
  const fields = changedFields(before, after);
  return fields.length ? fields.map((f) => FIELD_LABELS[f]).join(", ") : "no field changed";
}
