import type { RestoreChange } from "@/lib/sync/engine/restore-revision";

/** What a restore would do to each task that differs from the revision on either side. */
export function RestorePlanList({ changes }: { changes: RestoreChange[] }) {
  return (
    <ul className="list-disc pl-5 font-mono text-xs" data-testid="restore-plan">
      {changes.map((c) => (
        <li key={c.taskId}>
          {c.after === null ? "delete" : c.db === null && c.yaml === null ? "create" : "update"} {c.taskId}
        </li>
      ))}
    </ul>
  );
}
