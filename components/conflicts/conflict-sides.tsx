import { TASK_FIELDS, type Task, type TaskField } from "@/lib/tasks/task-fields";
import { FIELD_LABELS, formatFieldValue } from "@/lib/client/format";

const CELL = "flex gap-2 px-3 py-0.5 md:table-cell md:py-2";
const LABEL = "w-12 shrink-0 text-xs font-semibold text-slate-500 md:hidden";

function valueOf(task: Task | null, field: TaskField) {
  return task ? task[field] : undefined;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function Cell({ task, field, base, hasBase, absentLabel }: { task: Task | null; field: TaskField; base: Task | null; hasBase: boolean; absentLabel: string }) {
  if (!task) return <span className="text-slate-500 italic">{absentLabel}</span>;
  const changed = hasBase && base !== null && !same(task[field], base[field]);
  return (
    <span className="inline-flex flex-wrap items-baseline gap-1.5">
      <span className="font-mono text-xs break-all whitespace-pre-wrap text-slate-900">{formatFieldValue(field, task[field])}</span>
      {changed && <span className="rounded bg-blue-100 px-1 text-[11px] font-semibold text-blue-900">changed</span>}
    </span>
  );
}

/**
 * The YAML and DB versions side by side, with the last agreed version (base) for
 * reference. Rows where the two sides disagree are highlighted and labelled. `baseOrigin` names
 * where the base comes from when it is not the last agreed version (a file revision, issue #17).
 */
export function ConflictSides({ base, yaml, db, baseOrigin = "last agreed" }: { base: Task | null; yaml: Task | null; db: Task | null; baseOrigin?: string }) {
  const hasBase = base !== null;
  return (
    <div>
      <table className="block w-full text-left text-sm md:table md:table-fixed" data-testid="conflict-sides">
        <caption className="sr-only">Field by field: base, YAML file and database versions</caption>
        <colgroup>
          <col className="w-32" />
          {hasBase && <col />}
          <col />
          <col />
        </colgroup>
        <thead className="hidden bg-slate-50 text-xs uppercase tracking-wide text-slate-600 md:table-header-group">
          <tr>
            <th scope="col" className="px-3 py-2">
              Field
            </th>
            {hasBase && (
              <th scope="col" className="px-3 py-2">
                Base <span className="font-normal normal-case">({baseOrigin})</span>
              </th>
            )}
            <th scope="col" className="px-3 py-2">
              YAML file
            </th>
            <th scope="col" className="px-3 py-2">
              Database
            </th>
          </tr>
        </thead>
        <tbody className="block divide-y divide-slate-200 align-top md:table-row-group">
          {TASK_FIELDS.map((field) => {
            const differs = !same(valueOf(yaml, field), valueOf(db, field));
            return (
              <tr
                key={field}
                data-differs={differs || undefined}
                className={`block border-l-4 py-1.5 md:table-row md:py-0 ${differs ? "border-amber-500 bg-amber-50" : "border-transparent"}`}
              >
                <th scope="row" className={`block px-3 py-1 font-medium md:table-cell md:py-2 ${differs ? "text-amber-950" : "text-slate-700"}`}>
                  {FIELD_LABELS[field]}
                  {differs && <span className="ml-2 text-[11px] font-semibold uppercase text-amber-800 md:ml-0 md:block">differs</span>}
                </th>
                {hasBase && (
                  <td className={`${CELL} text-slate-600`}>
                    <span className={LABEL}>Base</span>
                    <span className="font-mono text-xs break-all whitespace-pre-wrap">{formatFieldValue(field, base[field])}</span>
                  </td>
                )}
                <td className={CELL}>
                  <span className={LABEL}>YAML</span>
                  <Cell task={yaml} field={field} base={base} hasBase={hasBase} absentLabel="deleted in the YAML file" />
                </td>
                <td className={CELL}>
                  <span className={LABEL}>DB</span>
                  <Cell task={db} field={field} base={base} hasBase={hasBase} absentLabel="deleted in the database" />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
