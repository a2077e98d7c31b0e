import { describeSchedule } from "@/lib/client/describe-schedule";

/** A cron expression, what it means in plain words, and its next runs in the task's time zone. */
export function ScheduleSummary({ schedule, timezone, runs = 3 }: { schedule: string; timezone: string; runs?: number }) {
  const described = describeSchedule(schedule, timezone, runs);
  return (
    <div className="min-w-0 space-y-0.5">
      <code className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs text-slate-900">{schedule}</code>
      {described.text && <p className="text-sm text-slate-800">{described.text}</p>}
      {described.error && <p className="text-sm text-red-700">Invalid: {described.error}</p>}
      {described.next.length > 0 && (
        <details className="text-xs text-slate-600">
          <summary className="w-fit">
            Next: <time dateTime={described.next[0].iso}>{described.next[0].label}</time>
          </summary>
          <ol className="mt-1 space-y-0.5 pl-4">
            {described.next.map((run) => (
              <li key={run.iso}>
                <time dateTime={run.iso}>{run.label}</time>
              </li>
            ))}
          </ol>
        </details>
      )}
    </div>
  );
}
