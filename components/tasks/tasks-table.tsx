import Link from "next/link";
import type { TaskListItem } from "@/lib/client/api-types";
import { CONFLICT_KIND_LABELS, SOURCE_LABELS } from "@/lib/client/format";
import { taskListHref, type TaskListParams } from "@/lib/client/task-list-query";
import { Badge } from "@/components/ui/badge";
import { RelativeTime } from "@/components/ui/relative-time";
import { ScheduleSummary } from "./schedule-summary";

const CELL = "block px-3 py-1 md:table-cell md:py-3 align-top";
const LABEL = "mr-2 text-xs font-semibold uppercase tracking-wide text-slate-500 md:hidden";

/**
 * The dashboard's task list: a table on wide screens, one card per task on a phone
 * (same markup, so a screen reader hears one list either way).
 */
export function TasksTable({ items, params }: { items: TaskListItem[]; params: TaskListParams }) {
  return (
    <div className="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm">
      <table className="block w-full text-sm md:table" data-testid="tasks-table">
        <caption className="sr-only">Tasks</caption>
        <thead className="hidden bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600 md:table-header-group">
          <tr>
            <th scope="col" className="px-3 py-2.5">
              Task
            </th>
            <th scope="col" className="px-3 py-2.5">
              Schedule
            </th>
            <th scope="col" className="px-3 py-2.5">
              Enabled
            </th>
            <th scope="col" className="px-3 py-2.5">
              Tags
            </th>
            <th scope="col" className="px-3 py-2.5">
              Last change
            </th>
          </tr>
        </thead>
        <tbody className="block divide-y divide-slate-200 md:table-row-group">
          {items.map((task) => (
            <tr key={task.id} data-task-id={task.id} className={`block py-2 md:table-row md:py-0 ${task.conflict ? "bg-amber-50/60" : ""}`}>
              <td className={CELL}>
                <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
                  <Link href={`/tasks/${task.id}`} className="font-mono text-sm font-semibold text-blue-700 underline-offset-2 hover:underline">
                    {task.id}
                  </Link>
                  {task.conflict && (
                    <Link
                      href={`/conflicts/${task.conflict.id}`}
                      className="rounded-full"
                      title={CONFLICT_KIND_LABELS[task.conflict.kind] ?? task.conflict.kind}
                    >
                      <Badge tone="warning">
                        <span aria-hidden="true">⚠</span> Conflict
                        <span className="sr-only">: {CONFLICT_KIND_LABELS[task.conflict.kind] ?? task.conflict.kind}. Resolve it</span>
                      </Badge>
                    </Link>
                  )}
                </div>
                <p className="mt-0.5 text-slate-900">{task.name}</p>
                {task.description && <p className="mt-0.5 line-clamp-2 max-w-md text-xs text-slate-600">{task.description}</p>}
              </td>
              <td className={`${CELL} md:min-w-56`}>
                <span className="sr-only md:hidden">Schedule: </span>
                <ScheduleSummary schedule={task.schedule} timezone={task.timezone} />
              </td>
              <td className="inline-block px-3 py-1 align-top md:table-cell md:py-3">
                {task.enabled ? <Badge tone="success">Enabled</Badge> : <Badge>Disabled</Badge>}
              </td>
              <td className="inline-block px-0 py-1 align-top md:table-cell md:px-3 md:py-3">
                <span className="sr-only md:hidden">Tags: </span>
                {task.tags.length ? (
                  <ul className="inline-flex flex-wrap gap-1 md:flex">
                    {task.tags.map((tag) => (
                      <li key={tag}>
                        <Link
                          href={taskListHref({ ...params, tag, offset: 0 })}
                          className="inline-block rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-800 hover:bg-slate-200"
                          aria-label={`Show tasks tagged ${tag}`}
                        >
                          {tag}
                        </Link>
                      </li>
                    ))}
                  </ul>
                ) : (
                  <span className="hidden text-slate-500 md:inline">—</span>
                )}
              </td>
              <td className={`${CELL} md:whitespace-nowrap`}>
                <span className={LABEL}>Changed</span>
                <RelativeTime iso={task.updatedAt} />
                <span className="text-slate-600"> · {SOURCE_LABELS[task.source] ?? task.source}</span>
                <span className="text-xs text-slate-500 md:block">
                  <span className="md:hidden"> · </span>version {task.version}
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
