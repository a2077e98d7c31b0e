import Link from "next/link";
import { notFound } from "next/navigation";
import { RunCounts } from "@/components/history/run-counts";
import { TaskChangeDiff, changeSummary } from "@/components/history/task-change-diff";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Notice } from "@/components/ui/notice";
import { PageHeader } from "@/components/ui/page-header";
import { DIRECTION_LABELS, TRIGGER_LABELS, formatDateTime, formatDuration } from "@/lib/client/format";
import { actorLabel } from "@/lib/people/actor";
import { isCodedError } from "@/lib/errors";
import type { RunDetail } from "@/lib/client/api-types";
import { getServices } from "@/lib/core/services";
import { runDetail } from "@/lib/sync/sync-reads";
import { uuidSchema } from "@/lib/sync/sync-schemas";
import { requirePageAccess } from "@/lib/auth/page-access";

export const dynamic = "force-dynamic";
export const metadata = { title: "Sync run · schedule-sync" };

const MAX_TASKS = 500;

async function load(id: string): Promise<RunDetail | null> {
  try {
    return await runDetail(getServices(), id);
  } catch (error) {
    if (isCodedError(error) && error.code === "not_found") return null;
    throw error;
  }
}

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  await requirePageAccess();
  const parsed = uuidSchema.safeParse((await params).id);
  if (!parsed.success) notFound();
  const run = await load(parsed.data);
  if (!run) notFound();

  const byTask = new Map<string, RunDetail["changes"]>();
  for (const change of run.changes) {
    const list = byTask.get(change.taskId) ?? [];
    list.push(change);
    byTask.set(change.taskId, list);
  }
  const tasks = [...byTask.entries()];
  // The same rule as the history list's default filter: a run that changed nothing is listed only under "All runs".
  const listed = run.status === "error" || run.conflicts > 0 || run.changes.length > 0;

  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <Link href={listed ? "/history" : "/history?changed=false"} className="text-blue-700 underline underline-offset-2">
          {listed ? "History" : "History (all runs)"}
        </Link>{" "}
        <span aria-hidden="true">/</span> run
      </nav>
      <PageHeader
        title={`Sync run – ${TRIGGER_LABELS[run.trigger] ?? run.trigger}`}
        description={
          <span className="flex flex-wrap items-center gap-2">
            {run.status === "error" ? <Badge tone="danger">Failed</Badge> : <Badge tone="success">OK</Badge>}
            <span>{formatDateTime(run.startedAt)}</span>
            <span data-testid="run-actor">· by {actorLabel(run.actor, run.trigger)}</span>
            <span>· {DIRECTION_LABELS[run.direction] ?? run.direction}</span>
            <span>· took {formatDuration(run.durationMs)}</span>
            <span>· {tasks.length === 1 ? "1 task" : `${tasks.length} tasks`} changed</span>
          </span>
        }
      />
      {run.error && (
        <Notice tone="error" title="This run failed" className="mb-4" role="none">
          <p>{run.error}</p>
        </Notice>
      )}
      <Card title="Summary" className="mb-4">
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1.5 text-sm">
          <dt className="text-slate-600">Changes</dt>
          <dd>
            <RunCounts counts={run.counts} conflicts={run.conflicts} />
          </dd>
          <dt className="text-slate-600">Started</dt>
          <dd>{formatDateTime(run.startedAt)}</dd>
          <dt className="text-slate-600">Finished</dt>
          <dd>{formatDateTime(run.finishedAt)}</dd>
          <dt className="text-slate-600">YAML checksum</dt>
          <dd className="font-mono text-xs break-all">{run.yamlChecksum ?? "—"}</dd>
          <dt className="text-slate-600">Run id</dt>
          <dd className="font-mono text-xs break-all">{run.id}</dd>
        </dl>
      </Card>
      <h2 className="mb-2 text-lg font-semibold">Per task, before and after</h2>
      {tasks.length === 0 ? (
        <EmptyState title="No task changed in this run">Both sides already agreed{run.conflicts ? ", apart from the conflicts it recorded" : ""}.</EmptyState>
      ) : (
        <ul className="space-y-3" data-testid="run-changes">
          {tasks.slice(0, MAX_TASKS).map(([taskId, changes]) => {
            const db = changes.find((c) => c.side === "db");
            const yaml = changes.find((c) => c.side === "yaml");
            const main = db ?? yaml!;
            // A merge starts from different versions on each side: show both then.
            const sidesDiffer = db && yaml && (JSON.stringify(db.before) !== JSON.stringify(yaml.before) || JSON.stringify(db.after) !== JSON.stringify(yaml.after));
            return (
              <li key={taskId} className="rounded-lg border border-slate-200 bg-white p-3 shadow-sm">
                <div className="mb-2 flex flex-wrap items-center gap-2">
                  <Link href={`/tasks/${taskId}`} className="font-mono font-semibold text-blue-700 underline-offset-2 hover:underline">
                    {taskId}
                  </Link>
                  <span className="text-sm text-slate-700">{main.action === "rename" ? `renamed from ${main.before?.id}` : changeSummary(main.before, main.after)}</span>
                  {changes.map((c) => (
                    <Badge key={c.id} tone={c.action === "delete" ? "danger" : c.action === "create" ? "success" : "info"}>
                      {c.side === "db" ? "Database" : "YAML"}: {c.action}
                    </Badge>
                  ))}
                </div>
                {sidesDiffer ? (
                  <div className="grid gap-3 md:grid-cols-2">
                    {[db, yaml].map((c) => (
                      <div key={c!.id}>
                        <h3 className="mb-1 text-sm font-semibold">{c!.side === "db" ? "Database" : "YAML file"}</h3>
                        <TaskChangeDiff before={c!.before} after={c!.after} />
                      </div>
                    ))}
                  </div>
                ) : (
                  <TaskChangeDiff before={main.before} after={main.after} />
                )}
              </li>
            );
          })}
        </ul>
      )}
      {tasks.length > MAX_TASKS && <p className="mt-2 text-sm text-slate-600">…and {tasks.length - MAX_TASKS} more tasks.</p>}
    </>
  );
}
