import Link from "next/link";
import { notFound } from "next/navigation";
import { ConflictBaseRevision } from "@/components/conflicts/conflict-base-revision";
import { ConflictResolver } from "@/components/conflicts/conflict-resolver";
import { ConflictSides } from "@/components/conflicts/conflict-sides";
import { YamlTextDiff } from "@/components/conflicts/yaml-text-diff";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { RelativeTime } from "@/components/ui/relative-time";
import { conflictFields, describeConflictFields } from "@/lib/client/conflict-fields";
import { CONFLICT_KIND_LABELS } from "@/lib/client/format";
import { isCodedError } from "@/lib/errors";
import { getServices } from "@/lib/core/services";
import { conflictDetail, listConflicts } from "@/lib/sync/sync-reads";
import { uuidSchema } from "@/lib/sync/sync-schemas";
import { requirePageAccess } from "@/lib/auth/page-access";
import { allows } from "@/lib/auth/principal";
import { actorLabel } from "@/lib/people/actor";
import { PresenceNote } from "@/components/live/presence-note";

export const dynamic = "force-dynamic";
export const metadata = { title: "Conflict · schedule-sync" };

async function load(id: string) {
  try {
    return await conflictDetail(getServices(), id);
  } catch (error) {
    if (isCodedError(error) && error.code === "not_found") return null;
    throw error;
  }
}

export default async function ConflictPage({ params }: { params: Promise<{ id: string }> }) {
  const principal = await requirePageAccess();
  const parsed = uuidSchema.safeParse((await params).id);
  if (!parsed.success) notFound();
  const [conflict, open] = await Promise.all([load(parsed.data), listConflicts(getServices(), "open", 2)]);
  if (!conflict) notFound();
  const nextOpenId = open.find((c) => c.id !== conflict.id)?.id ?? null;
  const fromGit = conflict.status === "open" ? (getServices().git?.originOf(conflict.taskId) ?? null) : null;

  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <Link href="/conflicts" className="text-blue-700 underline underline-offset-2">
          Conflicts
        </Link>{" "}
        <span aria-hidden="true">/</span> <span className="font-mono">{conflict.taskId}</span>
      </nav>
      <PageHeader
        title={
          <>
            Conflict on <span className="font-mono">{conflict.taskId}</span>
          </>
        }
        description={
          <span className="flex flex-wrap items-center gap-2">
            {conflict.status === "open" ? <Badge tone="warning">Open</Badge> : <Badge tone="success">Resolved</Badge>}
            <span>{CONFLICT_KIND_LABELS[conflict.kind] ?? conflict.kind}</span>
            <span>
              · detected <RelativeTime iso={conflict.detectedAt} />
              {conflict.updatedAt !== conflict.detectedAt && (
                <>
                  , refreshed <RelativeTime iso={conflict.updatedAt} />
                </>
              )}
            </span>
            <span data-testid="conflict-summary">· {describeConflictFields(conflictFields(conflict.base, conflict.yaml, conflict.db))}</span>
            <span data-testid="conflict-authors" className="basis-full">
              YAML side: {conflict.sides.yaml.by}
              {conflict.sides.yaml.at && (
                <>
                  , <RelativeTime iso={conflict.sides.yaml.at} />
                </>
              )}
              ; DB side: {conflict.sides.db.by}
              {conflict.sides.db.at && (
                <>
                  , <RelativeTime iso={conflict.sides.db.at} />
                </>
              )}
              {conflict.status === "resolved" && conflict.resolvedBy && <>; resolved by {actorLabel(conflict.resolvedBy, "resolve")}</>}
            </span>
            {(conflict.rename.renamedFrom || conflict.rename.renamedInFileTo) && <span data-testid="conflict-rename" className="basis-full">{conflict.rename.renamedFrom ? `Renamed from ${conflict.rename.renamedFrom}.` : `The file renamed it to ${conflict.rename.renamedInFileTo} while the database changed it.`}</span>}
            {fromGit && (
              <span data-testid="conflict-from-git" title={fromGit.subject}>
                · from git: {fromGit.author}, <span className="font-mono">{fromGit.commit.slice(0, 10)}</span>
              </span>
            )}
          </span>
        }
        actions={
          <Link href={`/tasks/${conflict.taskId}`} className="text-sm text-blue-700 underline underline-offset-2">
            Task and its history
          </Link>
        }
      />

      <PresenceNote page={`conflict:${conflict.id}`} />
      <div className="space-y-4">
        <Card title="YAML file and database side by side" id="sides">
          <ConflictBaseRevision revision={conflict.baseRevision} />
          <ConflictSides
            base={conflict.base}
            yaml={conflict.yaml}
            db={conflict.db}
            baseOrigin={conflict.baseRevision ? `the file's revision ${conflict.baseRevision.id.slice(0, 8)}` : undefined}
          />
        </Card>
        <Card title="Resolve" id="resolve">
          {allows(principal, "editor") ? (
            <ConflictResolver conflict={conflict} nextOpenId={nextOpenId} />
          ) : (
            <p className="text-sm text-slate-700" data-testid="resolve-needs-editor">
              Resolving a conflict needs the editor role; yours is {principal.role}.
            </p>
          )}
        </Card>
        <Card title="YAML text" id="text">
          <YamlTextDiff text={conflict.text} hasBase={conflict.base !== null} />
        </Card>
      </div>
    </>
  );
}
