import Link from "next/link";
import { Fragment, type ReactNode } from "react";
import type { TaskListItem } from "@/lib/client/api-types";
import { CONFLICT_KIND_LABELS, SOURCE_LABELS } from "@/lib/client/format";
import { taskListHref, type TaskListParams } from "@/lib/client/task-list-query";
import { Badge } from "@/components/ui/badge";
import { RelativeTime } from "@/components/ui/relative-time";
import { Table, TableCell, TableRow, type TableColumn } from "@/components/ui/table";
import { ScheduleSummary } from "./schedule-summary";

type Sort = NonNullable<TaskListParams["sort"]>;

/** A header that sorts the list by its column; the current sort is marked for screen readers too. */
function sortColumn(label: string, sort: Sort, params: TaskListParams, className?: string): TableColumn {
  const current = (params.sort ?? "id") === sort;
  return {
    className,
    sort: current ? (sort === "changed" ? "descending" : "ascending") : undefined,
    label: (
      <Link href={taskListHref({ ...params, sort, offset: 0 })} className={`underline-offset-2 hover:underline ${current ? "text-slate-900" : ""}`} scroll={false}>
        {label}
        <span aria-hidden="true">{current ? (sort === "changed" ? " ↓" : " ↑") : ""}</span>
        {!current && <span className="sr-only"> (sort by this)</span>}
      </Link>
    ),
  };
}

/**
 * One column of the task list: its header and how it renders a task. Kept as data so a
 * column (e.g. the per-task sync state) slots in by adding an entry.
 */
interface TaskColumn {
  column: TableColumn;
  cell: (task: TaskListItem, params: TaskListParams) => ReactNode;
}

const COLUMNS = (params: TaskListParams): TaskColumn[] => [
  { column: { label: "Sync" }, cell: (task) => <SyncCell task={task} /> },
  { column: sortColumn("Task", "id", params), cell: (task) => <TaskCell task={task} /> },
  {
    column: sortColumn("Schedule · next run", "next", params, "md:min-w-56"),
    cell: (task) => (
      <TableCell label="Schedule" className="md:min-w-56">
        <ScheduleSummary schedule={task.schedule} timezone={task.timezone} />
      </TableCell>
    ),
  },
  {
    column: { label: "Command" },
    cell: (task) => (
      <TableCell label="Command">
        <code className="line-clamp-2 max-w-72 font-mono text-xs break-all text-slate-800" title={task.command}>
          {task.command}
        </code>
      </TableCell>
    ),
  },
  {
    column: { label: "Enabled" },
    cell: (task) => (
      <TableCell inline>{task.enabled ? <Badge tone="success">Enabled</Badge> : <Badge>Disabled</Badge>}</TableCell>
    ),
  },
  { column: { label: "Tags" }, cell: (task) => <TagsCell task={task} params={params} /> },
  {
    column: sortColumn("Last change", "changed", params),
    cell: (task) => (
      <TableCell label="Changed" className="md:whitespace-nowrap">
        <RelativeTime iso={task.updatedAt} />
        <span className="text-slate-600"> · {SOURCE_LABELS[task.source] ?? task.source}</span>
        <span className="text-xs text-slate-500 md:block">
          <span className="md:hidden"> · </span>version {task.version}
        </span>
      </TableCell>
    ),
  },
];

/** Argo CD's first column: whether the file and the database agree on this task, and if not, how. */
function SyncCell({ task }: { task: TaskListItem }) {
  const sync = task.sync;
  return (
    <TableCell label="Sync" inline>
      <span data-testid="sync-state" data-state={sync.state}>
        {sync.state === "in_sync" && <Badge tone="success">In sync</Badge>}
        {sync.state === "differs" && (
          <>
            <Badge tone="warning">Differs</Badge>
            <span className="block text-xs text-slate-600">{DIFFERS[sync.action]}</span>
          </>
        )}
        {sync.state === "conflict" && (
          <Link href={`/conflicts/${sync.conflictId}`} className="rounded-full" title={CONFLICT_KIND_LABELS[task.conflict?.kind ?? ""] ?? "Conflict"}>
            <Badge tone="danger">
              <span aria-hidden="true">⚠</span> Conflict
              <span className="sr-only">: {CONFLICT_KIND_LABELS[task.conflict?.kind ?? ""] ?? task.conflict?.kind}. Resolve it</span>
            </Badge>
          </Link>
        )}
        {sync.state === "held" && (
          <Link href={`/conflicts/${sync.conflictId}`} className="underline-offset-2 hover:underline">
            <Badge tone="danger">Pending deletion</Badge>
          </Link>
        )}
      </span>
    </TableCell>
  );
}

/** What the next sync will do about a task that differs. */
const DIFFERS = {
  write_db: "file changed → DB",
  write_yaml: "DB changed → file",
  merge: "both changed: merges",
} as const;

function TaskCell({ task }: { task: TaskListItem }) {
  return (
    <TableCell>
      <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
        <Link href={`/tasks/${task.id}`} className="font-mono text-sm font-semibold text-blue-700 underline-offset-2 hover:underline">
          {task.id}
        </Link>
      </div>
      <p className="mt-0.5 text-slate-900">{task.name}</p>
      {task.description && <p className="mt-0.5 line-clamp-2 max-w-md text-xs text-slate-600">{task.description}</p>}
    </TableCell>
  );
}

function TagsCell({ task, params }: { task: TaskListItem; params: TaskListParams }) {
  return (
    <TableCell inline className="px-0 md:px-3">
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
    </TableCell>
  );
}

/**
 * The dashboard's task list: a table on wide screens, one card per task on a phone,
 * sortable by id, next run and last change.
 */
export function TasksTable({ items, params }: { items: TaskListItem[]; params: TaskListParams }) {
  const columns = COLUMNS(params);
  return (
    <Table caption="Tasks" testId="tasks-table" columns={columns.map((c) => c.column)}>
      {items.map((task) => (
        <TableRow key={task.id} data-task-id={task.id} className={task.conflict ? "bg-amber-50/60" : ""}>
          {columns.map((c, i) => (
            <Fragment key={i}>{c.cell(task, params)}</Fragment>
          ))}
        </TableRow>
      ))}
    </Table>
  );
}
