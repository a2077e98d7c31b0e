import Link from "next/link";
import type { ConflictDetail } from "@/lib/client/api-types";
import { formatDateTime, pluralize, REVISION_AUTHORS } from "@/lib/client/format";

/**
 * Issue #17: the conflict's file side was saved from an older revision than the latest, so its
 * base column is that revision's task rather than the last agreed one. Says which, and links to
 * it; renders nothing for the usual conflict, whose base is the latest agreed version.
 */
export function ConflictBaseRevision({ revision }: { revision: ConflictDetail["baseRevision"] }) {
  if (!revision) return null;
  const made = [
    revision.createdAt && formatDateTime(revision.createdAt),
    revision.source && (REVISION_AUTHORS[revision.source] ?? revision.source),
    `${pluralize(revision.behind, "write", "writes")} old`,
  ].filter(Boolean);
  return (
    <p data-testid="conflict-base-revision" className="mb-3 rounded border border-blue-200 bg-blue-50 px-3 py-2 text-sm text-blue-950">
      The file was saved from revision{" "}
      {revision.createdAt ? (
        <Link href={`/history/revisions/${revision.id}`} className="font-mono underline underline-offset-2">
          {revision.id.slice(0, 8)}
        </Link>
      ) : (
        // Pruned since (SYNC_REVISIONS, 30 days): its page is gone, the note stays true.
        <span className="font-mono">{revision.id.slice(0, 8)}</span>
      )}{" "}
      ({made.join(", ")}
      {revision.createdAt ? "" : "; no longer stored"}); its base column shows the task as it was there.
    </p>
  );
}
