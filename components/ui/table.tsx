import type { ReactNode } from "react";

/**
 * The app's data table: a real table on wide screens that turns into one card per row on a
 * phone (`stacked`), with the same markup so a screen reader hears one table either way.
 * Cells given a `label` show it before their content on a phone, where the header row is hidden.
 *
 * @example
 * <Table caption="Tasks" columns={[{ label: "Task" }, { label: "Schedule" }]}>
 *   <TableRow key={t.id}><TableCell>{t.id}</TableCell><TableCell label="Schedule">{t.schedule}</TableCell></TableRow>
 * </Table>
 */
export interface TableColumn {
  label: ReactNode;
  className?: string;
  /** `aria-sort` for a sorted column. */
  sort?: "ascending" | "descending";
}

export function Table({
  caption,
  columns,
  children,
  stacked = true,
  framed = true,
  className = "",
  testId,
}: {
  caption: ReactNode;
  columns: TableColumn[];
  children: ReactNode;
  stacked?: boolean;
  /** Border, background and shadow around the table (off inside a card or dialog). */
  framed?: boolean;
  className?: string;
  testId?: string;
}) {
  const frame = framed ? "overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm" : "";
  return (
    <div className={`${frame} ${className}`}>
      <table className={`w-full text-left text-sm ${stacked ? "block md:table" : ""}`} data-testid={testId}>
        <caption className="sr-only">{caption}</caption>
        <thead className={`bg-slate-50 text-xs font-semibold uppercase tracking-wide text-slate-600 ${stacked ? "hidden md:table-header-group" : ""}`}>
          <tr>
            {columns.map((column, i) => (
              <th key={i} scope="col" aria-sort={column.sort} className={`px-3 py-2.5 ${column.className ?? ""}`}>
                {column.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className={`divide-y divide-slate-200 ${stacked ? "block md:table-row-group" : ""}`}>{children}</tbody>
      </table>
    </div>
  );
}

export function TableRow({ children, className = "", stacked = true, ...rest }: { children: ReactNode; className?: string; stacked?: boolean } & Record<`data-${string}`, string>) {
  return (
    <tr className={`${stacked ? "block py-2 md:table-row md:py-0" : ""} ${className}`} {...rest}>
      {children}
    </tr>
  );
}

/** A cell; `label` names it on a phone. `inline` cells sit side by side there. */
export function TableCell({
  children,
  label,
  className = "",
  stacked = true,
  inline = false,
  colSpan,
}: {
  children?: ReactNode;
  label?: string;
  className?: string;
  stacked?: boolean;
  inline?: boolean;
  colSpan?: number;
}) {
  const layout = stacked ? `${inline ? "inline-block" : "block"} px-3 py-0.5 md:table-cell md:py-2.5` : "px-3 py-2";
  return (
    <td colSpan={colSpan} className={`align-top ${layout} ${className}`}>
      {label && stacked && <span className="mr-2 text-xs font-semibold uppercase tracking-wide text-slate-500 md:hidden">{label}</span>}
      {children}
    </td>
  );
}
