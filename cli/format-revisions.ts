import type { RestoreResult } from "../lib/sync/engine/restore-revision";
import type { RevisionRecord } from "../lib/sync/storage/sync-storage";

const SOURCES: Record<string, string> = { yaml: "file", db: "server", merge: "server (merge)", restore: "restore" };

/** `schedule-sync revisions`: one line per revision, newest first. */
export function formatRevisions(revisions: readonly RevisionRecord[], where: string): string {
  if (revisions.length === 0) return `No revisions yet (${where}).\n`;
  const lines = revisions.map((r) => {
    const what = [r.added && `+${r.added}`, r.changed && `~${r.changed}`, r.removed && `-${r.removed}`].filter(Boolean).join(" ") || "no task changed";
    const from = r.ancestorId ? `  (saved from ${r.ancestorId.slice(0, 8)})` : "";
    return `${r.id}  ${r.createdAt}  ${(SOURCES[r.source] ?? r.source).padEnd(14)}  ${String(r.taskCount).padStart(6)} tasks  ${what}${from}`;
  });
  return `Revisions of the schedule file (${where}), newest first:\n${lines.join("\n")}\n`;
}

/** `schedule-sync restore`: what a restore changes (or changed). */
export function formatRestore(result: RestoreResult): string {
  if (result.changes.length === 0) return `Both sides already hold revision ${result.revisionId}: nothing to restore.\n`;
  const verb = result.dryRun ? "would change" : "changed";
  const lines = result.changes.map((c) => {
    const action = c.after === null ? "delete" : c.db === null && c.yaml === null ? "create" : "update";
    return `  ${action.padEnd(6)} ${c.taskId}`;
  });
  const tail = result.dryRun ? "Nothing was changed (dry run). Run without --dry-run to restore." : `Restored in run ${result.runId}.`;
  return `Restoring revision ${result.revisionId} ${verb} ${result.changes.length} task(s):\n${lines.join("\n")}\n${tail}\n`;
}
