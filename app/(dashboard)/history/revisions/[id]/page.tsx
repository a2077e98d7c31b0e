import Link from "next/link";
import { notFound } from "next/navigation";
import { RestoreRevisionButton } from "@/components/history/restore-revision-button";
import { TaskChangeDiff, changeSummary } from "@/components/history/task-change-diff";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { RelativeTime } from "@/components/ui/relative-time";
import { REVISION_AUTHORS, formatDateTime, pluralize } from "@/lib/client/format";
import { getServices } from "@/lib/core/services";
import { uuidSchema } from "@/lib/sync/sync-schemas";
import { requirePageAccess } from "@/lib/auth/page-access";
import { allows } from "@/lib/auth/principal";

export const dynamic = "force-dynamic";
export const metadata = { title: "File revision · schedule-sync" };

/** A first revision holds every task of the file: the page lists this many. */
const SHOWN = 200;

/** One version of the schedule file (issue #17): who made it, what it changed, and the way back to it. */
export default async function RevisionPage({ params }: { params: Promise<{ id: string }> }) {
  const principal = await requirePageAccess();
  const parsed = uuidSchema.safeParse((await params).id);
  if (!parsed.success) notFound();
  const { reads } = getServices().storage;
  const [revision, latest] = await Promise.all([reads.getRevision(parsed.data), reads.latestRevision()]);
  if (!revision) notFound();
  const isLatest = latest?.id === revision.id;
  const revisionLink = (id: string) => (
    <Link href={`/history/revisions/${id}`} className="font-mono text-blue-700 underline underline-offset-2">
      {id.slice(0, 8)}
    </Link>
  );

  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <Link href="/history" className="text-blue-700 underline underline-offset-2">
          History
        </Link>{" "}
        <span aria-hidden="true">/</span> file revision
      </nav>
      <PageHeader
        title={
          <>
            File revision <span className="font-mono">{revision.id.slice(0, 8)}</span>
          </>
        }
        description={
          <span className="flex flex-wrap items-center gap-2" data-testid="revision-summary">
            {isLatest && <Badge tone="success">Latest</Badge>}
            <span>
              {formatDateTime(revision.createdAt)} (<RelativeTime iso={revision.createdAt} />), {REVISION_AUTHORS[revision.source] ?? revision.source}
            </span>
            <span>· {pluralize(revision.taskCount, "task")}</span>
            {revision.runId && (
              <span>
                ·{" "}
                <Link href={`/history/${revision.runId}`} className="text-blue-700 underline underline-offset-2">
                  its run
                </Link>
              </span>
            )}
            {revision.parentId && <span>· after {revisionLink(revision.parentId)}</span>}
            {revision.ancestorId && <span>· saved from the older {revisionLink(revision.ancestorId)}</span>}
          </span>
        }
      />
      <div className="space-y-4">
        {allows(principal, "editor") && !isLatest && (
          <Card title="Restore">
            <p className="mb-3 text-sm text-slate-700">
              Puts the file and the database back to this revision&apos;s tasks on purpose, as one run. A dry run shows what would change first.
            </p>
            <RestoreRevisionButton revisionId={revision.id} canApply={allows(principal, "admin")} />
          </Card>
        )}
        <Card title={revision.parentId ? "What it changed" : "What it changed (the first stored revision: against nothing)"}>
          {revision.changes.length === 0 ? (
            <p className="text-sm text-slate-600">No task changed.</p>
          ) : (
            <ul className="space-y-3" data-testid="revision-changes">
              {revision.changes.slice(0, SHOWN).map((c) => (
                <li key={c.taskId}>
                  <p className="mb-1 text-sm">
                    <Link href={`/tasks/${encodeURIComponent(c.taskId)}`} className="font-mono text-blue-700 underline underline-offset-2">
                      {c.taskId}
                    </Link>{" "}
                    <span className="text-slate-600">{changeSummary(c.before, c.after)}</span>
                  </p>
                  <TaskChangeDiff before={c.before} after={c.after} />
                </li>
              ))}
              {revision.changes.length > SHOWN && <li className="text-sm text-slate-600">and {pluralize(revision.changes.length - SHOWN, "more task")}.</li>}
            </ul>
          )}
        </Card>
      </div>
    </>
  );
}
