import Link from "next/link";
import { TaskFilters } from "@/components/tasks/task-filters";
import { TasksTable } from "@/components/tasks/tasks-table";
import { PaginationNav } from "@/components/tasks/pagination-nav";
import { SyncNowPanel } from "@/components/sync/sync-now-panel";
import { buttonClass } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Notice } from "@/components/ui/notice";
import { PageHeader } from "@/components/ui/page-header";
import { hasFilters, taskListHref } from "@/lib/client/task-list-query";
import { parseTaskListParams } from "@/lib/tasks/parse-task-list-params";
import { getServices } from "@/lib/core/services";
import { listTasksWithSyncState } from "@/lib/sync/sync-reads";
import { requirePageAccess } from "@/lib/auth/page-access";
import { allows } from "@/lib/auth/principal";

export const dynamic = "force-dynamic";
export const metadata = { title: "Tasks · schedule-sync" };

export default async function DashboardPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const principal = await requirePageAccess();
  const raw = await searchParams;
  const params = parseTaskListParams(raw);
  const services = getServices();
  let page = await listTasksWithSyncState(services, params);
  // Past the end (tasks were deleted meanwhile): show the last page instead of nothing.
  if (page.items.length === 0 && params.offset > 0 && page.total > 0) {
    params.offset = Math.floor((page.total - 1) / params.limit) * params.limit;
    page = await listTasksWithSyncState(services, params);
  }
  const deleted = typeof raw.deleted === "string" ? raw.deleted : null;

  return (
    <>
      <PageHeader
        title="Tasks"
        description={
          <>
            Kept in sync between <code className="font-mono text-xs">{services.config.scheduleConfigPath}</code> and the {services.db.kind === "pglite" ? "embedded" : "PostgreSQL"} database.
          </>
        }
        actions={
          allows(principal, "editor") ? (
            <Link href="/tasks/new" className={buttonClass("primary")}>
              <span aria-hidden="true">+</span> New task
            </Link>
          ) : undefined
        }
      />
      {deleted && (
        <Notice tone="success" className="mb-4">
          Task <code className="font-mono">{deleted}</code> was deleted from the database and the YAML file.
        </Notice>
      )}
      {/* Viewers cannot sync; editors sync both ways; one-sided directions are an admin's (issue #18). */}
      {allows(principal, "editor") && <SyncNowPanel oneSidedAllowed={allows(principal, "admin")} />}
      <TaskFilters params={params} />
      {page.items.length > 0 ? (
        <>
          <TasksTable items={page.items} params={params} />
          <PaginationNav params={params} total={page.total} />
        </>
      ) : hasFilters(params) ? (
        <EmptyState
          title="No tasks match these filters"
          actions={
            <Link href={taskListHref({ limit: params.limit })} className={buttonClass("secondary")}>
              Clear filters
            </Link>
          }
        >
          Try a shorter search, another tag, or clear the filters.
        </EmptyState>
      ) : (
        <EmptyState
          title="No tasks yet"
          actions={
            <Link href="/tasks/new" className={buttonClass("primary")}>
              Create the first task
            </Link>
          }
        >
          Create a task here, or add one under <code className="font-mono">tasks:</code> in the YAML file; it shows up here by itself.
        </EmptyState>
      )}
    </>
  );
}
