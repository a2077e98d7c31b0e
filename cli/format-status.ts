import { formatIssues } from "./format-issues";
import { plural } from "./plural";
import type { StatusView } from "./sync-backend";

/** True when the status needs a person: an invalid file, open conflicts, held deletions, drift, or a failed last run. */
export function statusNeedsAttention(status: StatusView): boolean {
  const failing = status.state !== null ? status.state === "error" : status.lastRun?.status === "error";
  return !status.yaml.valid || status.openConflicts > 0 || failing || (status.pending ?? 0) > 0 || status.held.yaml + status.held.db > 0;
}

/** `status` as aligned lines; `file` is the YAML path as the user would type it. */
export function formatStatus(status: StatusView, file: string): string {
  const yaml = status.yaml.missing
    ? "missing (the next sync creates it from the database)"
    : status.yaml.valid
      ? `valid${status.yaml.checksum ? ` (${status.yaml.checksum.slice(0, 19)}…)` : ""}`
      : `INVALID: ${plural(status.yaml.issues.length, "problem")}; the file is not synced until it is fixed`;
  const run = status.lastRun;
  const lines = [
    `Sync status (${status.where})`,
    ...(status.state !== null ? [`  state:          ${status.state}${status.lastError ? ` (${status.lastError})` : ""}`] : []),
    `  database:       ${status.db}`,
    `  YAML file:      ${file}: ${yaml}`,
    `  open conflicts: ${status.openConflicts}`,
    `  drift:          ${status.pending === null ? "unknown" : status.pending === 0 ? "none" : `${plural(status.pending, "task")} differ (\`schedule-sync diff\` shows them)`}`,
    ...(status.held.yaml + status.held.db > 0
      ? [`  held deletions: ${[status.held.yaml ? `${status.held.yaml} deleted in the file` : "", status.held.db ? `${status.held.db} deleted in the database` : ""].filter(Boolean).join(", ")} (\`schedule-sync held\`)`]
      : []),
    ...(status.retry ? [`  retrying:       ${status.retry.at} (attempt ${status.retry.attempt + 1}): ${status.retry.error ?? "?"}`] : []),
    `  last run:       ${
      run
        ? `${run.startedAt} · ${run.trigger} · ${run.direction} · ${run.status}${run.durationMs !== null ? ` · ${run.durationMs} ms` : ""}${run.error ? ` · ${run.error}` : ""}`
        : "none yet"
    }`,
  ];
  if (status.state !== null) lines.push(`  next cron run:  ${status.nextCronRun ?? "off"}`);
  if (status.git) lines.push(`  git:            ${formatGit(status.git)}`);
  if (!status.yaml.valid && status.yaml.issues.length > 0) lines.push("", formatIssues(file, status.yaml.issues));
  return `${lines.join("\n")}\n`;
}

/** "main at 1a2b3c4d, 2 ahead, 0 behind; last push failed: …" */
function formatGit(git: NonNullable<StatusView["git"]>): string {
  const where = `${git.branch}${git.pushBranch ? ` (pushes to ${git.pushBranch})` : ""} at ${git.head?.slice(0, 8) ?? "no commit yet"}`;
  const counts = git.ahead === null || git.behind === null ? "no remote" : `${git.ahead} ahead, ${git.behind} behind`;
  return `${where}, ${counts}${git.error ? `; ${git.error}` : ""}${git.retryAt ? ` (retrying at ${git.retryAt})` : ""}`;
}
