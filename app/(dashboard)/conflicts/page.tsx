import Link from "next/link";
import { ConflictInbox } from "@/components/conflicts/conflict-inbox";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { getServices } from "@/lib/core/services";
import { listConflicts } from "@/lib/sync/sync-reads";
import { requirePageAccess } from "@/lib/auth/page-access";

export const dynamic = "force-dynamic";
export const metadata = { title: "Conflicts · schedule-sync" };

const TABS = [
  { value: "open", label: "Open" },
  { value: "resolved", label: "Resolved" },
  { value: "all", label: "All" },
] as const;

type Status = (typeof TABS)[number]["value"];

export default async function ConflictsPage({ searchParams }: { searchParams: Promise<{ status?: string | string[] }> }) {
  await requirePageAccess();
  const raw = (await searchParams).status;
  const status: Status = TABS.some((t) => t.value === raw) ? (raw as Status) : "open";
  const items = await listConflicts(getServices(), status, 500);

  return (
    <>
      <PageHeader
        title="Conflicts"
        description="Tasks that were changed differently in the YAML file and in the database since they last agreed. They are not synced until resolved."
      />
      <nav aria-label="Conflict status" className="mb-4">
        <ul className="inline-flex rounded-md border border-slate-300 bg-white p-0.5">
          {TABS.map((tab) => (
            <li key={tab.value}>
              <Link
                href={tab.value === "open" ? "/conflicts" : `/conflicts?status=${tab.value}`}
                aria-current={status === tab.value ? "page" : undefined}
                className={`block rounded px-3 py-1.5 text-sm font-medium ${status === tab.value ? "bg-slate-900 text-white" : "text-slate-700 hover:bg-slate-100"}`}
              >
                {tab.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <ConflictInbox
        items={items}
        empty={
          <EmptyState title={status === "open" ? "No open conflicts" : status === "resolved" ? "No resolved conflicts yet" : "No conflicts yet"}>
            {status === "open"
              ? "The YAML file and the database agree on every task, or their changes could be merged automatically. New conflicts show up here by themselves."
              : "Conflicts appear here once the same field of a task is changed differently on both sides."}
          </EmptyState>
        }
      />
      {items.length === 500 && <p className="mt-2 text-sm text-slate-600">Showing the newest 500.</p>}
    </>
  );
}
