import Link from "next/link";
import type { SyncStatus } from "@/lib/client/api-types";
import { pluralize, REVISION_AUTHORS } from "@/lib/client/format";
import { Notice } from "@/components/ui/notice";
import { RelativeTime } from "@/components/ui/relative-time";

/** Issue #17: the file was saved from an older version; the tasks it held older kept their newer values. */
export function LineageNotice({ lineage }: { lineage: NonNullable<SyncStatus["lineage"]> }) {
  const shown = lineage.keptNewer.slice(0, 5);
  return (
    <Notice tone="info" title="The schedule file was saved from an older version" role="status">
      <p data-testid="lineage-notice">
        The file <Link href={`/history/${lineage.runId}`} className="underline underline-offset-2">synced <RelativeTime iso={lineage.startedAt} /></Link> derived from
        a version {pluralize(lineage.behind, "write", "writes")} old (<RelativeTime iso={lineage.ancestorAt} />, {REVISION_AUTHORS[lineage.ancestorSource] ?? lineage.ancestorSource}).
        {lineage.keptNewerCount > 0 ? (
          <>
            {" "}
            {pluralize(lineage.keptNewerCount, "task in it was", "tasks in it were")} older and kept the newer value:{" "}
            {shown.map((id, i) => (
              <span key={id}>
                {i > 0 && ", "}
                <Link href={`/tasks/${encodeURIComponent(id)}`} className="font-mono text-xs underline underline-offset-2">
                  {id}
                </Link>
              </span>
            ))}
            {lineage.keptNewerCount > shown.length && <>, …</>}.
          </>
        ) : (
          " Only what it changed was taken as edits."
        )}
      </p>
    </Notice>
  );
}
