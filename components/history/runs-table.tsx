import Link from "next/link";
import type { RunRecord } from "@/lib/client/api-types";
import { DIRECTION_LABELS, TRIGGER_LABELS, formatDateTime, formatDuration } from "@/lib/client/format";
import { actorLabel } from "@/lib/people/actor";
import { Badge } from "@/components/ui/badge";
import { RelativeTime } from "@/components/ui/relative-time";
import { Table, TableCell, TableRow } from "@/components/ui/table";
import { RunCounts } from "./run-counts";


export function RunsTable({ runs }: { runs: RunRecord[] }) {
  return (
    <Table
      caption="Sync runs, newest first"
      testId="runs-table"
      columns={[{ label: "Started" }, { label: "By" }, { label: "Trigger" }, { label: "Direction" }, { label: "Result" }, { label: "Changes" }, { label: "Duration", className: "text-right" }]}
    >
      {runs.map((run) => (
        <TableRow key={run.id}>
          <TableCell className="md:whitespace-nowrap">
            <Link href={`/history/${run.id}`} className="font-medium text-blue-700 underline-offset-2 hover:underline">
              <RelativeTime iso={run.startedAt} />
              <span className="sr-only"> – details</span>
            </Link>
            <span className="ml-2 text-xs text-slate-500 md:ml-0 md:block">{formatDateTime(run.startedAt)}</span>
          </TableCell>
          <TableCell label="By">
            <span data-testid="run-actor">{actorLabel(run.actor, run.trigger)}</span>
          </TableCell>
          <TableCell label="Trigger">{TRIGGER_LABELS[run.trigger] ?? run.trigger}</TableCell>
          <TableCell label="Direction">{DIRECTION_LABELS[run.direction] ?? run.direction}</TableCell>
          <TableCell label="Result">
            {run.status === "error" ? <Badge tone="danger">Failed</Badge> : run.status === "running" ? <Badge tone="info">Running</Badge> : <Badge tone="success">OK</Badge>}
            {run.error && <p className="mt-1 max-w-md text-xs break-words text-red-800">{run.error}</p>}
          </TableCell>
          <TableCell label="Changes">
            <RunCounts counts={run.counts} conflicts={run.conflicts} />
          </TableCell>
          <TableCell label="Duration" className="md:text-right md:whitespace-nowrap">
            {formatDuration(run.durationMs)}
          </TableCell>
        </TableRow>
      ))}
    </Table>
  );
}
