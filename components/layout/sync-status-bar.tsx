import Link from "next/link";
import type { SyncStatus } from "@/lib/client/api-types";
import { DIRECTION_LABELS, TRIGGER_LABELS, formatDuration, pluralize } from "@/lib/client/format";
import { formatYamlIssue } from "@/lib/yaml/parse/yaml-issue";
import { LiveActivity } from "@/components/live/live-activity";
import { RelativeTime } from "@/components/ui/relative-time";
import { Notice } from "@/components/ui/notice";
import { Spinner } from "@/components/ui/spinner";
import { HeldDeletionsPanel } from "@/components/sync/held-deletions-panel";
import { LineageNotice } from "@/components/sync/lineage-notice";
import { CodeFrameView } from "@/components/yaml/code-frame-view";
import type { CodeFrame } from "@/lib/yaml-view/code-frame";

const STATE_STYLES = {
  idle: "bg-green-50 text-green-800 ring-green-200",
  running: "bg-blue-50 text-blue-800 ring-blue-200",
  error: "bg-red-50 text-red-800 ring-red-200",
} as const;

const STATE_LABELS = { idle: "Idle", running: "Syncing", error: "Error" } as const;

/** Sync state, last run, open conflicts and YAML validity, with banners when something needs a person. */
export function SyncStatusBar({ status, frame = null, canDecideHeld = true }: { status: SyncStatus; frame?: CodeFrame | null; canDecideHeld?: boolean }) {
  const last = status.lastRun;
  return (
    <div className="border-b border-slate-200 bg-white">
      <div className="mx-auto max-w-7xl px-4 py-2 sm:px-6">
        <h2 className="sr-only">Sync status</h2>
        <div className="flex flex-wrap items-center gap-x-5 gap-y-1.5">
        <dl className="flex flex-wrap items-center gap-x-5 gap-y-1.5 text-sm text-slate-700" data-testid="sync-status">
          <div className="flex items-center gap-1.5">
            <dt className="sr-only">State</dt>
            <dd
              data-state={status.state}
              className={`inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-semibold ring-1 ring-inset ${STATE_STYLES[status.state]}`}
            >
              {status.state === "running" ? <Spinner /> : <span aria-hidden="true" className="size-1.5 rounded-full bg-current" />}
              {STATE_LABELS[status.state]}
            </dd>
          </div>
          <div className="flex items-center gap-1.5">
            <dt className="text-slate-600">Last sync</dt>
            <dd>
              {last ? (
                <>
                  <Link href={`/history/${last.id}`} className="text-blue-700 underline-offset-2 hover:underline">
                    <RelativeTime iso={last.startedAt} />
                  </Link>{" "}
                  ({TRIGGER_LABELS[last.trigger] ?? last.trigger}, {DIRECTION_LABELS[last.direction] ?? last.direction},{" "}
                  {last.status === "error" ? <span className="font-semibold text-red-700">failed</span> : last.status === "running" ? "running" : "ok"} in{" "}
                  {formatDuration(last.durationMs)})
                </>
              ) : (
                "none yet"
              )}
            </dd>
          </div>
          <div className="flex items-center gap-1.5">
            <dt className="text-slate-600">Conflicts</dt>
            <dd>
              {status.openConflicts > 0 ? (
                <Link href="/conflicts" className="font-semibold text-amber-800 underline underline-offset-2">
                  {pluralize(status.openConflicts, "open conflict")}
                </Link>
              ) : (
                "none open"
              )}
            </dd>
          </div>
          <div className="flex items-center gap-1.5">
            <dt className="text-slate-600">Drift</dt>
            <dd data-testid="drift">
              {status.pending === null ? (
                <span className="text-slate-600">unknown</span>
              ) : status.pending > 0 ? (
                <Link href="/?state=differs" className="font-semibold text-amber-800 underline underline-offset-2">
                  {pluralize(status.pending, "task differs", "tasks differ")}
                </Link>
              ) : (
                <span className="text-green-800">
                  <span aria-hidden="true">✓ </span>none
                </span>
              )}
            </dd>
          </div>
          <div className="flex items-center gap-1.5">
            <dt className="text-slate-600">YAML</dt>
            <dd data-testid="yaml-validity">
              {status.yaml.missing ? (
                <span className="text-amber-800">file missing</span>
              ) : status.yaml.valid ? (
                <span className="text-green-800">
                  <span aria-hidden="true">✓ </span>valid
                </span>
              ) : (
                <span className="font-semibold text-red-700">
                  <span aria-hidden="true">✕ </span>invalid
                  {status.yaml.error && status.yaml.error.line > 0 ? ` (line ${status.yaml.error.line}, column ${status.yaml.error.column})` : ""}
                </span>
              )}
            </dd>
          </div>
          {status.git && (
            <div className="flex items-center gap-1.5">
              <dt className="text-slate-600">Git</dt>
              <dd data-testid="git-status" title={status.git.error ?? undefined}>
                <span className="font-mono text-xs">
                  {status.git.branch}
                  {status.git.head ? ` @ ${status.git.head.slice(0, 7)}` : ""}
                </span>
                {status.git.ahead !== null && status.git.behind !== null && (status.git.ahead > 0 || status.git.behind > 0) && (
                  <span className="ml-1.5 text-xs">
                    {status.git.ahead > 0 ? `${status.git.ahead} to push` : ""}
                    {status.git.ahead > 0 && status.git.behind > 0 ? ", " : ""}
                    {status.git.behind > 0 ? `${status.git.behind} to pull` : ""}
                  </span>
                )}
                {status.git.error ? (
                  <span className="ml-1.5 font-semibold text-red-700">
                    <span aria-hidden="true">✕ </span>
                    {status.git.lastMerge?.error ? "merge needs a person" : status.git.retryAt ? "remote unreachable, retrying" : "fetch or push failed"}
                  </span>
                ) : null}
              </dd>
            </div>
          )}
          {status.nextCronRun && (
            <div className="flex items-center gap-1.5">
              <dt className="text-slate-600">Next scheduled sync</dt>
              <dd>
                <RelativeTime iso={status.nextCronRun} />
              </dd>
            </div>
          )}
        </dl>
          {/* Outside the <dl>: a definition list may hold only dt/dd groups. */}
          <div className="min-w-0 flex-1 basis-48 sm:text-right">
            <LiveActivity />
          </div>
        </div>
      </div>
      {(!status.yaml.valid || status.yaml.missing || status.state === "error" || status.retry || status.held.yaml + status.held.db > 0 || !status.dbReachable || status.lineage) && (
        <div className="mx-auto max-w-7xl space-y-2 px-4 pb-3 sm:px-6">
          {!status.yaml.valid && (
            <Notice tone="error" title="The YAML file is invalid: syncing is paused until it is fixed" role="alert">
              <p data-testid="yaml-error">
                <code className="font-mono text-xs break-all">{status.yaml.path}</code>
                {status.yaml.error ? (
                  <>
                    {" "}
                    {status.yaml.error.line > 0 && (
                      <strong>
                        line {status.yaml.error.line}, column {status.yaml.error.column}:
                      </strong>
                    )}{" "}
                    {status.yaml.error.message}
                  </>
                ) : null}
              </p>
              {frame && status.yaml.error && <CodeFrameView frame={frame} label={`The file around line ${status.yaml.error.line}`} />}
              {status.yaml.issues.length > 1 && (
                <ul className="list-disc pl-5">
                  {status.yaml.issues.slice(1, 6).map((issue, i) => (
                    <li key={i}>{formatYamlIssue(issue)}</li>
                  ))}
                  {status.yaml.issues.length > 6 && <li>…and {status.yaml.issues.length - 6} more</li>}
                </ul>
              )}
              <p className="text-red-900">Nothing is written to the file and nothing is deleted from the database until the file parses again.</p>
            </Notice>
          )}
          {status.yaml.missing && (
            <Notice tone="warning" title="The YAML file does not exist yet">
              <p>
                <code className="font-mono text-xs break-all">{status.yaml.path}</code> will be created from the database on the next sync.
              </p>
            </Notice>
          )}
          {status.retry ? (
            <Notice tone="warning" title="The sync is retrying by itself" role="status">
              <p data-testid="sync-retry">
                Next try <RelativeTime iso={status.retry.at} /> (attempt {status.retry.attempt + 1}): {status.retry.error}
              </p>
            </Notice>
          ) : (
            status.state === "error" &&
            status.lastError &&
            status.yaml.valid && (
              <Notice tone="error" title="The last sync failed">
                <p>{status.lastError}</p>
              </Notice>
            )
          )}
          {!status.dbReachable && (
            <Notice tone="warning" title="The database does not answer" role="status">
              <p>What you see is this server's last view; edits wait until the database is back, and the sync catches up by itself.</p>
            </Notice>
          )}
          <HeldDeletionsPanel held={status.held} canDecide={canDecideHeld} />
          {status.lineage && <LineageNotice lineage={status.lineage} />}
        </div>
      )}
    </div>
  );
}
