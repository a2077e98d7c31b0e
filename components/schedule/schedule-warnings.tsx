import Link from "next/link";
import { Notice } from "@/components/ui/notice";
import { pluralize } from "@/lib/client/format";
import type { ScheduleTimeline } from "@/lib/schedule/schedule-timeline";

function TaskLinks({ ids, total }: { ids: string[]; total: number }) {
  return (
    <span>
      {ids.map((id, i) => (
        <span key={id}>
          {i > 0 && ", "}
          <Link href={`/tasks/${id}`} className="font-mono underline">
            {id}
          </Link>
        </span>
      ))}
      {total > ids.length && ` and ${pluralize(total - ids.length, "more task")}`}
    </span>
  );
}

function minuteIn(iso: string, zone: string): string {
  const text = new Intl.DateTimeFormat("en-GB", { timeZone: zone, weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(iso));
  return `${text} ${zone}`;
}

/** Clock changes that skip or repeat a schedule's local time, and crowded minutes. */
export function ScheduleWarnings({ timeline }: { timeline: ScheduleTimeline }) {
  const soon = timeline.dst.filter((w) => w.inWindow);
  const later = timeline.dst.filter((w) => !w.inWindow);
  if (soon.length + later.length + timeline.crowded.length === 0) return null;
  return (
    <section aria-labelledby="warnings-title" className="space-y-2" data-testid="schedule-warnings">
      <h2 id="warnings-title" className="text-base font-semibold text-slate-900">
        Warnings
      </h2>
      {soon.map((warning) => (
        <Notice key={`${warning.zone}${warning.at}${warning.times}`} tone="warning" role="none" title={warning.kind === "dst_skipped" ? "A clock change skips a run time in this window" : "A clock change repeats a run time in this window"}>
          <p>{warning.message}</p>
          <p>
            Affects {pluralize(warning.tasks, "task")}: <TaskLinks ids={warning.taskIds} total={warning.tasks} />.
          </p>
        </Notice>
      ))}
      {timeline.crowded.length > 0 && (
        <Notice tone="warning" role="none" title={`Many tasks start in the same minute (${timeline.crowdThreshold} or more)`}>
          <ul className="list-disc space-y-0.5 pl-5">
            {timeline.crowded.map((minute) => (
              <li key={minute.at}>
                <time dateTime={minute.at}>{minuteIn(minute.at, timeline.viewerZone)}</time>: {pluralize(minute.tasks, "task")} (
                <TaskLinks ids={minute.sample} total={minute.tasks} />)
              </li>
            ))}
          </ul>
          <p>Spread them over a few minutes so they do not compete for the same machine.</p>
        </Notice>
      )}
      {later.length > 0 && (
        <details className="rounded-md border border-slate-200 bg-white px-3.5 py-2.5 text-sm">
          <summary className="font-medium text-slate-800">{pluralize(later.length, "later clock change")} in the next 12 months affect these schedules</summary>
          <ul className="mt-2 list-disc space-y-1 pl-5 text-slate-800">
            {later.map((warning) => (
              <li key={`${warning.zone}${warning.at}${warning.times}`}>
                {warning.message} <TaskLinks ids={warning.taskIds} total={warning.tasks} />
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
