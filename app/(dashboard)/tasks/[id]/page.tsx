import path from "node:path";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DeleteTaskButton } from "@/components/tasks/delete-task-button";
import { ScheduleSummary } from "@/components/tasks/schedule-summary";
import { TaskForm } from "@/components/tasks/task-form";
import { TaskSavedNotice } from "@/components/tasks/task-saved-notice";
import { TaskHistoryList } from "@/components/history/task-history-list";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { Notice } from "@/components/ui/notice";
import { PageHeader } from "@/components/ui/page-header";
import { RelativeTime } from "@/components/ui/relative-time";
import { CONFLICT_KIND_LABELS, SOURCE_LABELS } from "@/lib/client/format";
import { getServices } from "@/lib/core/services";
import { taskHistory } from "@/lib/sync/sync-reads";
import { getTask } from "@/lib/tasks/task-reads";
import { readTaskYamlSource } from "@/lib/tasks/task-yaml-source";
import { CopyButton } from "@/components/ui/copy-button";
import { taskOf } from "@/lib/tasks/stored-task";
import { taskIdSchema } from "@/lib/tasks/task-schema";
import { requirePageAccess } from "@/lib/auth/page-access";
import { allows } from "@/lib/auth/principal";
import { changeActorLabel } from "@/lib/people/actor";
import { PresenceNote } from "@/components/live/presence-note";

export const dynamic = "force-dynamic";

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return { title: `${id} · schedule-sync` };
}

export default async function TaskPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const principal = await requirePageAccess();
  const canEdit = allows(principal, "editor");
  const [{ id: rawId }, query] = await Promise.all([params, searchParams]);
  const parsedId = taskIdSchema.safeParse(rawId);
  if (!parsedId.success) notFound();
  const id = parsedId.data;
  const services = getServices();
  const [task, history, deletedConflict] = await Promise.all([getTask(services.db, id), taskHistory(services, id), services.storage.reads.loadOpenConflicts([id]).then((open) => open.get(id) ?? null)]);
  if (!task && history.length === 0 && !deletedConflict) notFound();
  const conflict = task?.conflict ?? deletedConflict;
  // The newest change was this id's rename away (issue #17): where the task lives now.
  const renamedTo = !task && history[0]?.action === "rename" && history[0].after && history[0].after.id !== id ? history[0].after.id : null;
  // Who made the newest recorded change; the row's own `source` for a task whose history is gone.
  const lastBy = history[0] ? changeActorLabel(history[0]) : (SOURCE_LABELS[task?.source ?? ""] ?? task?.source);
  const source = task ? await readTaskYamlSource(services.config.scheduleConfigPath, id, services.config.yamlMaxBytes) : null;
  const shownPath = path.relative(process.cwd(), services.config.scheduleConfigPath).startsWith("..") ? services.config.scheduleConfigPath : path.relative(process.cwd(), services.config.scheduleConfigPath);

  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <Link href="/" className="text-blue-700 underline underline-offset-2">
          Tasks
        </Link>{" "}
        <span aria-hidden="true">/</span> <span className="font-mono">{id}</span>
      </nav>
      <PageHeader
        title={task ? task.name : <span className="font-mono">{id}</span>}
        description={
          task ? (
            <span className="flex flex-wrap items-center gap-2">
              <code className="font-mono">{id}</code>
              {task.enabled ? <Badge tone="success">Enabled</Badge> : <Badge>Disabled</Badge>}
              <span>
                version {task.version} · last changed <RelativeTime iso={task.updatedAt} /> by <span data-testid="last-changed-by">{lastBy}</span>
              </span>
            </span>
          ) : (
            "Deleted task"
          )
        }
        actions={task && canEdit ? <DeleteTaskButton task={task} /> : undefined}
      />

      <PresenceNote page={`task:${id}`} />
      <div className="mb-4 space-y-3">
        {query.created === "1" && task && <TaskSavedNotice created result={{ merged: query.merged === "1", conflict: null }} />}
        {conflict && (
          <Notice
            tone="warning"
            title={`Open conflict: ${CONFLICT_KIND_LABELS[conflict.kind] ?? conflict.kind}`}
            actions={
              <Link href={`/conflicts/${conflict.id}`} className="text-sm font-semibold text-amber-950 underline">
                Resolve the conflict
              </Link>
            }
          >
            <p>
              {task
                ? "The YAML file and the database disagree about this task. It is not synced until someone picks a version."
                : conflict.kind === "modify_delete"
                  ? "It was deleted from the database while the YAML file holds an unsynced edit of it. Resolving decides whether it comes back."
                  : "It was deleted while the other side held an unsynced edit of it. Resolving decides whether it comes back."}
            </p>
          </Notice>
        )}
        {!task && renamedTo && !conflict && (
          <Notice tone="info" title="This task was renamed">
            <p>
              The file renamed it to{" "}
              <Link href={`/tasks/${renamedTo}`} className="font-mono text-blue-700 underline underline-offset-2" data-testid="renamed-to">
                {renamedTo}
              </Link>
              ; its history went with it.
            </p>
          </Notice>
        )}
        {!task && !(renamedTo && !conflict) && (
          <Notice tone="info" title={conflict ? "Deleted from the database, with an open conflict" : "This task does not exist any more"}>
            <p>
              {conflict ? "Until the conflict is resolved the deletion is not synced. " : "It was deleted. "}Its history is below: revert to any version to bring it back
              on both sides.
            </p>
          </Notice>
        )}
      </div>

      {task && (
        <div className="grid grid-cols-1 items-start gap-4 lg:grid-cols-[minmax(0,2fr)_minmax(0,1fr)]">
          <Card title="Edit task">
            <TaskForm mode="edit" task={task} lastChangedBy={history[0] ? changeActorLabel(history[0]) : null} readOnly={!canEdit} />
          </Card>
          <div className="space-y-4">
          <Card title="Schedule">
            <ScheduleSummary schedule={task.schedule} timezone={task.timezone} runs={5} />
            <dl className="mt-4 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
              <dt className="text-slate-600">Time zone</dt>
              <dd>{task.timezone}</dd>
              <dt className="text-slate-600">Created</dt>
              <dd>
                <RelativeTime iso={task.createdAt} />
              </dd>
              <dt className="text-slate-600">Updated</dt>
              <dd>
                <RelativeTime iso={task.updatedAt} />
              </dd>
            </dl>
          </Card>
          <Card title="In the YAML file" id="yaml-source" actions={source ? <CopyButton text={source.text} label="Copy YAML" /> : undefined}>
            {source ? (
              <>
                <p className="mb-2 text-xs text-slate-600">
                  <code className="font-mono break-all" data-testid="yaml-location">
                    {shownPath}:{source.line}
                  </code>
                </p>
                <pre className="overflow-x-auto rounded bg-slate-100 p-2 font-mono text-xs leading-5 text-slate-900" data-testid="yaml-source">
                  {source.text}
                </pre>
              </>
            ) : (
              <p className="text-sm text-slate-700">Not in the file right now (not synced yet, or the file is invalid).</p>
            )}
          </Card>
          </div>
        </div>
      )}

      <Card title="History" id="history" className="mt-4">
        <TaskHistoryList taskId={id} items={history} current={task && taskOf(task)} />
      </Card>
    </>
  );
}
