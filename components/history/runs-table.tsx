import Link from "next/link";
import type { RunRecord } from "@/lib/client/api-types";
import { DIRECTION_LABELS, TRIGGER_LABELS, formatDateTime, formatDuration } from "@/lib/client/format";
import { Badge } from "@/components/ui/badge";
import { RelativeTime } from "@/components/ui/relative-time";
import { RunCounts } from "./run-counts";

const CELL = "block px-3 py-0.5 md:table-cell md:py-2.5 align-top";
const LABEL = "mr-2 text-xs font-semibold uppercase tracking-wide text-slate-500 md:hidden";

export function RunsTable({ runs }: { runs: RunRecord[] }) {
  return (
    <div className="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm">
      <table className="block w-full text-sm md:table" data-testid="runs-table">
        <caption className="sr-only">Sync runs, newest first</caption>
        <thead className="hidden bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600 md:table-header-group">
          <tr>
            <th scope="col" className="px-3 py-2.5">
              Started
            </th>
            <th scope="col" className="px-3 py-2.5">
              Trigger
            </th>
            <th scope="col" className="px-3 py-2.5">
              Direction
            </th>
            <th scope="col" className="px-3 py-2.5">
              Result
            </th>
            <th scope="col" className="px-3 py-2.5">
              Changes
            </th>
            <th scope="col" className="px-3 py-2.5 text-right">
              Duration
            </th>
          </tr>
        </thead>
        <tbody className="block divide-y divide-slate-200 md:table-row-group">
          {runs.map((run) => (
            <tr key={run.id} className="block py-2 md:table-row md:py-0">
              <td className={`${CELL} md:whitespace-nowrap`}>
                <Link href={`/history/${run.id}`} className="font-medium text-blue-700 underline-offset-2 hover:underline">
                  <RelativeTime iso={run.startedAt} />
                  <span className="sr-only"> – details</span>
                </Link>
                <span className="ml-2 text-xs text-slate-500 md:ml-0 md:block">{formatDateTime(run.startedAt)}</span>
              </td>
              <td className={CELL}>
                <span className={LABEL}>Trigger</span>
                {TRIGGER_LABELS[run.trigger] ?? run.trigger}
              </td>
              <td className={CELL}>
                <span className={LABEL}>Direction</span>
                {DIRECTION_LABELS[run.direction] ?? run.direction}
              </td>
              <td className={CELL}>
                <span className={LABEL}>Result</span>
                {run.status === "error" ? <Badge tone="danger">Failed</Badge> : run.status === "running" ? <Badge tone="info">Running</Badge> : <Badge tone="success">OK</Badge>}
                {run.error && <p className="mt-1 max-w-md text-xs break-words text-red-800">{run.error}</p>}
              </td>
              <td className={CELL}>
                <span className={LABEL}>Changes</span>
                <RunCounts counts={run.counts} conflicts={run.conflicts} />
              </td>
              <td className={`${CELL} md:text-right md:whitespace-nowrap`}>
                <span className={LABEL}>Duration</span>
                {formatDuration(run.durationMs)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
