import { TASK_FIELDS, changedFields, type Task } from "@/lib/tasks/task-fields";
import { FIELD_LABELS, formatFieldValue } from "@/lib/client/format";

/**
 * Before/after of one task change, field by field. Only the fields that changed
 * are listed, unless the task was created or deleted (then every field is).
 */
export function TaskChangeDiff({ before, after, labels = ["Before", "After"] }: { before: Task | null; after: Task | null; labels?: [string, string] }) {
  const fields = before && after ? changedFields(before, after) : TASK_FIELDS;
  if (fields.length === 0) return <p className="text-sm text-slate-600">No field changed.</p>;
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm">
        <thead className="text-xs uppercase tracking-wide text-slate-600">
          <tr>
            <th scope="col" className="w-24 py-1 pr-2">
              Field
            </th>
            <th scope="col" className="py-1 pr-2">
              {labels[0]}
            </th>
            <th scope="col" className="py-1">
              {labels[1]}
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 align-top">
          {fields.map((field) => (
            <tr key={field}>
              <th scope="row" className="py-1 pr-2 font-medium text-slate-700">
                {FIELD_LABELS[field]}
              </th>
              <td className="py-1 pr-2 break-all">
                {before ? (
                  <span className="rounded bg-red-50 px-1 font-mono text-xs text-red-900">
                    <span className="sr-only">was </span>
                    {formatFieldValue(field, before[field])}
                  </span>
                ) : (
                  <span className="text-slate-500">(absent)</span>
                )}
              </td>
              <td className="py-1 break-all">
                {after ? (
                  <span className="rounded bg-green-50 px-1 font-mono text-xs text-green-900">
                    <span className="sr-only">now </span>
                    {formatFieldValue(field, after[field])}
                  </span>
                ) : (
                  <span className="text-slate-500">(deleted)</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
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
