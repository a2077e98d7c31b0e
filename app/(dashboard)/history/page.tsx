import Link from "next/link";
import { RunsTable } from "@/components/history/runs-table";
import { TaskHistoryLookup } from "@/components/history/task-history-lookup";
import { RevisionsPanel } from "@/components/history/revisions-panel";
import { buttonClass } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { getServices } from "@/lib/core/services";
import { listRuns } from "@/lib/sync/sync-reads";
import { runListQuerySchema } from "@/lib/sync/sync-schemas";
import { requirePageAccess } from "@/lib/auth/page-access";
import { inputClass } from "@/components/ui/field";
import { parseActorFilter } from "@/lib/people/actor";

export const dynamic = "force-dynamic";
export const metadata = { title: "History · schedule-sync" };

const PAGE = 50;

function one(value: string | string[] | undefined) {
  return Array.isArray(value) ? value[0] : value;
}

export default async function HistoryPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePageAccess();
  const sp = await searchParams;
  // Runs that changed nothing (most cron and watcher runs) are hidden unless asked for.
  const all = one(sp.changed) === "false";
  const beforeRaw = one(sp.before);
  const before = beforeRaw && runListQuerySchema.shape.before.safeParse(beforeRaw).success ? beforeRaw : undefined;
  const actorRaw = one(sp.actor)?.trim().slice(0, 200) || undefined;
  const runs = await listRuns(getServices(), { limit: PAGE + 1, before, changedOnly: !all, actor: actorRaw ? parseActorFilter(actorRaw) : undefined });
  const revisions = await getServices().storage.reads.listRevisions({ limit: 20 }).catch(() => []);
  const more = runs.length > PAGE;
  const shown = runs.slice(0, PAGE);
  const href = (params: { all?: boolean; before?: string }) => {
    const q = new URLSearchParams();
    if (params.all) q.set("changed", "false");
    if (actorRaw) q.set("actor", actorRaw);
    if (params.before) q.set("before", params.before);
    const text = q.toString();
    return text ? `/history?${text}` : "/history";
  };

  return (
    <>
      <PageHeader title="History" description="Every sync run: what triggered it, which way it went and what it changed. Open a run for each task's before and after." />
      <Card title="One task's history" className="mb-4">
        <TaskHistoryLookup />
      </Card>
      <Card title="Versions of the schedule file" className="mb-4">
        <RevisionsPanel revisions={revisions} />
      </Card>
      <form method="get" action="/history" className="mb-3 flex flex-wrap items-end gap-2" aria-label="Filter by who made the runs">
        {all && <input type="hidden" name="changed" value="false" />}
        <div>
          <label htmlFor="history-actor" className="mb-1 block text-xs font-semibold text-slate-700">
            Made by
          </label>
          <input
            id="history-actor"
            name="actor"
            defaultValue={actorRaw ?? ""}
            placeholder="alice, token:ci, file, cron, git, admin_token"
            autoCapitalize="none"
            spellCheck={false}
            className={inputClass(false, "w-72 max-w-full")}
          />
        </div>
        <button type="submit" className={buttonClass("secondary", "sm")}>
          Filter
        </button>
        {actorRaw && (
          <Link href={all ? "/history?changed=false" : "/history"} className="text-sm text-blue-700 underline">
            Everyone
          </Link>
        )}
      </form>
      <nav aria-label="Which runs" className="mb-3">
        <ul className="inline-flex rounded-md border border-slate-300 bg-white p-0.5">
          {[
            { label: "Runs that changed something", active: !all, href: href({}) },
            { label: "All runs", active: all, href: href({ all: true }) },
          ].map((tab) => (
            <li key={tab.label}>
              <Link
                href={tab.href}
                aria-current={tab.active ? "page" : undefined}
                className={`block rounded px-3 py-1.5 text-sm font-medium ${tab.active ? "bg-slate-900 text-white" : "text-slate-700 hover:bg-slate-100"}`}
              >
                {tab.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {shown.length === 0 ? (
        <EmptyState title={before ? "No older runs" : all ? "No sync runs yet" : "No run has changed anything yet"}>
          {all ? "Runs are recorded at start-up, on file changes, on schedule and when someone presses “Sync now”." : (
            <>
              Runs where both sides already agreed are hidden. <Link href={href({ all: true })} className="underline">Show all runs</Link>.
            </>
          )}
        </EmptyState>
      ) : (
        <RunsTable runs={shown} />
      )}
      <div className="mt-3 flex gap-2">
        {before && (
          <Link href={href({ all })} className={buttonClass("secondary", "sm")}>
            « Newest
          </Link>
        )}
        {more && (
          <Link href={href({ all, before: shown[shown.length - 1].startedAt })} className={buttonClass("secondary", "sm")}>
            Older runs ›
          </Link>
        )}
      </div>
    </>
  );
}
