import type { ReactNode } from "react";
import type { TaskField } from "@/lib/tasks/task-fields";
import { FIELD_LABELS } from "@/lib/client/format";

export interface FieldValuesRow {
  field: TaskField;
  /** Under the field's name, e.g. "clash" / "merges". */
  note?: ReactNode;
  values: [ReactNode, ReactNode];
  /** `loss`: a value that is thrown away; `clash`: a field both sides changed. */
  tone?: "loss" | "clash";
}

const TONE = { loss: "bg-red-50", clash: "bg-amber-50" } as const;

/** Two values of some fields side by side: now → after, YAML | database, mine | theirs. */
export function FieldValuesTable({ caption, headers, rows, testId }: { caption: string; headers: [string, string]; rows: FieldValuesRow[]; testId?: string }) {
  return (
    <table className="mt-1 w-full text-left text-xs" data-testid={testId}>
      <caption className="sr-only">{caption}</caption>
      <thead className="text-slate-600">
        <tr>
          <th scope="col" className="w-24 py-0.5 pr-2 font-medium">
            Field
          </th>
          <th scope="col" className="py-0.5 pr-2 font-medium">
            {headers[0]}
          </th>
          <th scope="col" className="py-0.5 font-medium">
            {headers[1]}
          </th>
        </tr>
      </thead>
      <tbody className="align-top">
        {rows.map((row) => (
          <tr key={row.field} className={row.tone ? TONE[row.tone] : ""}>
            <th scope="row" className="py-0.5 pr-2 font-medium text-slate-700">
              {FIELD_LABELS[row.field]}
              {row.note && <span className="block font-normal text-slate-700">{row.note}</span>}
            </th>
            <td className={`py-0.5 pr-2 font-mono break-all ${row.tone === "loss" ? "font-semibold text-red-900" : "text-slate-800"}`}>{row.values[0]}</td>
            <td className="py-0.5 font-mono break-all text-slate-900">{row.values[1]}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
