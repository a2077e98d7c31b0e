import Link from "next/link";
import { cookies } from "next/headers";
import { Heatmap, type HeatmapRow } from "@/components/schedule/heatmap";
import { ScheduleWarnings } from "@/components/schedule/schedule-warnings";
import { UpcomingRuns } from "@/components/schedule/upcoming-runs";
import { VIEWER_ZONE_COOKIE, ViewerZoneCookie } from "@/components/schedule/viewer-zone-cookie";
import { buttonClass } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { inputClass } from "@/components/ui/field";
import { PageHeader } from "@/components/ui/page-header";
import { pluralize } from "@/lib/client/format";
import { scheduleTimeline, type ScheduleTimeline } from "@/lib/schedule/schedule-timeline";
import { parseTimelineParams, timelineHref, type TimelineParams } from "@/lib/schedule/timeline-params";
import { startOfLocalDay } from "@/lib/schedule/wall-clock";
import { getServices } from "@/lib/core/services";
import { requirePageAccess } from "@/lib/auth/page-access";
import { isValidTimezone } from "@/lib/tasks/task-schema";
import { listEnabledSchedules } from "@/lib/tasks/task-reads";

export const dynamic = "force-dynamic";
export const metadata = { title: "Schedule · schedule-sync" };

export default async function SchedulePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePageAccess();
  const params = parseTimelineParams(await searchParams);
  const cookieZone = decodeCookie((await cookies()).get(VIEWER_ZONE_COOKIE)?.value);
  const savedZone = isValidTimezone(cookieZone) ? cookieZone : null;
  const viewerZone = params.tz ?? savedZone ?? "UTC";
  const now = params.from ? Date.parse(params.from) : Date.now();
  const week = params.range === "7d";
  const tasks = await listEnabledSchedules(getServices().db);
  // A week is 7 local days: 167 or 169 hours when the viewer's clocks change in it.
  const from = week ? startOfLocalDay(viewerZone, now) : now;
  const hours = week ? Math.round((startOfLocalDay(viewerZone, from + 7.5 * DAY) - from) / HOUR) : 24;
  const timeline = scheduleTimeline(tasks, { from, hours, viewerZone, tag: params.tag, listLimit: 40 });

  return (
    <>
      <ViewerZoneCookie serverZone={savedZone} />
      <PageHeader
        title="Schedule"
        description={
          <>
            When every enabled task fires{params.tag ? <> with tag <strong>{params.tag}</strong></> : null}, hour by hour, in your time zone (
            <strong>{viewerZone}</strong>). {pluralize(timeline.tasks, "task")}, {pluralize(timeline.runs, "run")} in{" "}
            {week ? "these 7 days" : "these 24 hours"}.
          </>
        }
      />
      <TimelineControls params={params} viewerZone={viewerZone} tags={timeline.tags} />
      {timeline.tasks === 0 ? (
        <EmptyState title={params.tag ? "No enabled task has this tag" : "No enabled tasks"} actions={params.tag ? <Link href={timelineHref({ ...params, tag: undefined })} className={buttonClass("secondary")}>Show all tags</Link> : undefined}>
          Enabled tasks show up here with the hours they run in.
        </EmptyState>
      ) : (
        <div className="space-y-4">
          <ScheduleWarnings timeline={timeline} />
          {week ? (
            <section aria-labelledby="week-title" className="space-y-2">
              <h2 id="week-title" className="text-base font-semibold text-slate-900">
                Runs per hour, day by day
              </h2>
              <Heatmap caption={`Runs per hour over 7 days, ${viewerZone}`} corner={viewerZone} columns={HOURS} rows={weekRows(timeline)} testId="week-heatmap" />
            </section>
          ) : null}
          <section aria-labelledby="tags-title" className="space-y-2">
            <h2 id="tags-title" className="text-base font-semibold text-slate-900">
              {week ? "Busiest tags over the week (runs per hour of day)" : "Runs per hour by tag"}
            </h2>
            <Heatmap
              caption={`Runs per hour by tag, ${viewerZone}`}
              corner="Tag"
              columns={week ? HOURS : timeline.bucketStarts.map((iso) => hourOf(iso, viewerZone))}
              rows={tagRows(timeline, week, params)}
              testId="tag-heatmap"
            />
          </section>
          <Card title={`What runs in the next 24 hours${params.from ? " from the start shown" : ""}`} id="upcoming">
            <UpcomingRuns timeline={timeline} />
          </Card>
        </div>
      )}
    </>
  );
}

function decodeCookie(value: string | undefined): string {
  try {
    return decodeURIComponent(value ?? "");
  } catch {
    return "";
  }
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const HOURS = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, "0"));

const hourFormats = new Map<string, Intl.DateTimeFormat>();
function parts(iso: string, zone: string): { date: string; hour: number; label: string } {
  let format = hourFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-GB", { timeZone: zone, weekday: "short", day: "numeric", month: "short", hour: "2-digit", hourCycle: "h23" });
    hourFormats.set(zone, format);
  }
  const p = format.formatToParts(new Date(iso));
  const get = (type: string) => p.find((x) => x.type === type)?.value ?? "";
  return { date: `${get("weekday")} ${get("day")} ${get("month")}`, hour: Number(get("hour")), label: `${get("weekday")} ${get("day")} ${get("month")}, ${get("hour")}:00` };
}

function hourOf(iso: string, zone: string): string {
  return String(parts(iso, zone).hour).padStart(2, "0");
}

/** Days down, hours across, in the viewer's zone; a doubled hour sums, a skipped one is marked. */
function weekRows(timeline: ScheduleTimeline): HeatmapRow[] {
  const rows = new Map<string, HeatmapRow>();
  timeline.bucketStarts.forEach((iso, i) => {
    const { date, hour, label } = parts(iso, timeline.viewerZone);
    let row = rows.get(date);
    if (!row) rows.set(date, (row = { key: date, label: date, cells: new Array(24).fill(null), titles: HOURS.map((h) => `${date}, ${h}:00 (no such hour on this day)`) }));
    row.cells[hour] = (row.cells[hour] ?? 0) + timeline.total[i]!;
    row.titles[hour] = label;
  });
  return [...rows.values()];
}

function tagRows(timeline: ScheduleTimeline, week: boolean, params: TimelineParams): HeatmapRow[] {
  const fold = (runs: number[]) => {
    if (!week) return runs;
    const byHour = new Array<number>(24).fill(0);
    timeline.bucketStarts.forEach((iso, i) => (byHour[parts(iso, timeline.viewerZone).hour] += runs[i]!));
    return byHour;
  };
  const titles = week ? HOURS.map((h) => `${h}:00 on any day`) : timeline.bucketStarts.map((iso) => parts(iso, timeline.viewerZone).label);
  const all: HeatmapRow = { key: "(all)", label: <strong>All tasks</strong>, cells: fold(timeline.total), titles };
  return [
    all,
    ...timeline.rows.map((row) => ({
      key: row.tag,
      label: row.tag.startsWith("(") ? (
        <span className="text-slate-600">{row.tag}</span>
      ) : (
        <Link href={timelineHref({ ...params, tag: row.tag })} className="text-blue-700 underline-offset-2 hover:underline" title={`${pluralize(row.tasks, "task")}; show only these`}>
          {row.tag}
        </Link>
      ),
      cells: fold(row.runs),
      titles,
    })),
  ];
}

function TimelineControls({ params, viewerZone, tags }: { params: TimelineParams; viewerZone: string; tags: string[] }) {
  return (
    <form method="get" action="/schedule" className="mb-4 flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-3 shadow-sm" aria-label="Timeline options">
      <div>
        <label htmlFor="tl-range" className="mb-1 block text-xs font-semibold text-slate-700">
          Window
        </label>
        <select id="tl-range" name="range" defaultValue={params.range} className={inputClass()}>
          <option value="7d">7 days</option>
          <option value="24h">24 hours</option>
        </select>
      </div>
      <div>
        <label htmlFor="tl-tag" className="mb-1 block text-xs font-semibold text-slate-700">
          Tag
        </label>
        <select id="tl-tag" name="tag" defaultValue={params.tag ?? ""} className={inputClass()}>
          <option value="">All tags</option>
          {tags.map((tag) => (
            <option key={tag} value={tag}>
              {tag}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="tl-tz" className="mb-1 block text-xs font-semibold text-slate-700">
          Your time zone
        </label>
        <input id="tl-tz" name="tz" defaultValue={params.tz ?? viewerZone} className={inputClass(false, "w-48")} autoCapitalize="none" spellCheck={false} />
      </div>
      <div>
        <label htmlFor="tl-from" className="mb-1 block text-xs font-semibold text-slate-700">
          Starting
        </label>
        <input id="tl-from" name="from" type="date" defaultValue={params.from?.slice(0, 10) ?? ""} className={inputClass()} />
      </div>
      <button type="submit" className={buttonClass("primary")}>
        Show
      </button>
      {(params.tag || params.from || params.tz) && (
        <Link href="/schedule" className="pb-2 text-sm text-slate-700 underline underline-offset-2">
          Reset
        </Link>
      )}
    </form>
  );
}
