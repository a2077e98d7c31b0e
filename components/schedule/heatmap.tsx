import type { ReactNode } from "react";
import { pluralize } from "@/lib/client/format";

export interface HeatmapRow {
  key: string;
  label: ReactNode;
  /** Runs per column; null where the hour does not exist (a clock change in the viewer's zone). */
  cells: (number | null)[];
  /** Per cell: what it covers, for its title. */
  titles: string[];
}

const LEVELS = [
  "bg-slate-100 text-slate-500",
  "bg-sky-100 text-sky-950",
  "bg-sky-300 text-sky-950",
  "bg-sky-700 text-white",
  "bg-sky-900 text-white",
] as const;

/** Shades spread between the quietest and the busiest non-empty hour, so busy hours stand out over a steady base. */
function level(runs: number, lo: number, hi: number): number {
  if (runs <= 0) return 0;
  if (hi <= lo) return 2;
  return 1 + Math.floor(((runs - lo) / (hi - lo)) * 3.999);
}

/**
 * Runs per hour as a table of colored cells: one row per day or per tag, one column per hour.
 * The number is in each cell, so the colors only repeat what the text says.
 */
export function Heatmap({ caption, corner, columns, rows, testId }: { caption: string; corner: string; columns: string[]; rows: HeatmapRow[]; testId?: string }) {
  const counts = rows.flatMap((row) => row.cells.filter((n): n is number => n !== null && n > 0));
  const lo = counts.length ? Math.min(...counts) : 0;
  const hi = counts.length ? Math.max(...counts) : 0;
  return (
    // `relative`: the screen-reader-only texts in the cells are positioned absolutely; without a
    // positioned ancestor they would escape the scroll box and widen the whole page on a phone.
    <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
      <table className="w-full border-separate border-spacing-0.5 p-1 text-xs" data-testid={testId}>
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col" className="px-2 py-1 text-left font-semibold text-slate-600">
              {corner}
            </th>
            {columns.map((hour) => (
              <th key={hour} scope="col" className="min-w-7 px-0.5 py-1 text-center font-medium tabular-nums text-slate-600">
                {hour}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.key}>
              <th scope="row" className="max-w-40 truncate px-2 py-1 text-left font-medium whitespace-nowrap text-slate-800">
                {row.label}
              </th>
              {row.cells.map((runs, i) =>
                runs === null ? (
                  <td key={i} className="rounded-sm bg-[repeating-linear-gradient(45deg,var(--color-slate-200)_0_3px,transparent_3px_6px)]" title={row.titles[i]}>
                    <span className="sr-only">no such hour</span>
                  </td>
                ) : (
                  <td key={i} title={`${row.titles[i]}: ${pluralize(runs, "run")}`} className={`h-7 rounded-sm text-center tabular-nums ${LEVELS[level(runs, lo, hi)]}`}>
                    {runs > 0 ? compact(runs) : <span className="sr-only">0</span>}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function compact(n: number): string {
  if (n < 1000) return String(n);
  if (n < 10_000) return `${(n / 1000).toFixed(1)}k`;
  return `${Math.round(n / 1000)}k`;
}
