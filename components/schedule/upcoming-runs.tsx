import Link from "next/link";
import { Table, TableCell, TableRow } from "@/components/ui/table";
import type { ScheduleTimeline } from "@/lib/schedule/schedule-timeline";
import { pluralize } from "@/lib/client/format";

const formats = new Map<string, Intl.DateTimeFormat>();
function timeIn(iso: string, zone: string): string {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-GB", { timeZone: zone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    formats.set(zone, format);
  }
  return format.format(new Date(iso));
}

/** The first runs of the window's first 24 hours, in the viewer's zone and the task's own. */
export function UpcomingRuns({ timeline }: { timeline: ScheduleTimeline }) {
  if (timeline.upcoming.length === 0) return <p className="text-sm text-slate-700">Nothing runs in these 24 hours.</p>;
  return (
    <>
      <Table
        caption="Runs in the next 24 hours"
        framed={false}
        testId="upcoming-runs"
        columns={[{ label: `When (${timeline.viewerZone})` }, { label: "In the task's zone" }, { label: "Task" }, { label: "Command" }]}
      >
        {timeline.upcoming.map((run) => (
          <TableRow key={`${run.at}|${run.taskId}`}>
            <TableCell className="font-medium whitespace-nowrap tabular-nums">
              <time dateTime={run.at}>{timeIn(run.at, timeline.viewerZone)}</time>
            </TableCell>
            <TableCell label="Task's zone" className="whitespace-nowrap text-slate-700 tabular-nums">
              {run.timezone === timeline.viewerZone ? "same" : `${timeIn(run.at, run.timezone)} ${run.timezone}`}
            </TableCell>
            <TableCell>
              <Link href={`/tasks/${run.taskId}`} className="font-mono text-sm font-semibold text-blue-700 underline-offset-2 hover:underline">
                {run.taskId}
              </Link>
              <span className="ml-2 text-slate-700">{run.name}</span>
            </TableCell>
            <TableCell>
              <code className="line-clamp-2 font-mono text-xs break-all text-slate-800">{run.command}</code>
            </TableCell>
          </TableRow>
        ))}
      </Table>
      {timeline.upcomingMore > 0 && <p className="mt-2 text-sm text-slate-600">…and {pluralize(timeline.upcomingMore, "more run")} in these 24 hours.</p>}
    </>
  );
}
