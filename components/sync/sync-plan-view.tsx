import Link from "next/link";
import { changedFields, type Task } from "@/lib/tasks/task-schema";
import type { RunResult, TaskDecision } from "@/lib/client/api-types";
import { CONFLICT_KIND_LABELS, FIELD_LABELS, pluralize } from "@/lib/client/format";

type Counts = RunResult["counts"];
type ChangeDecision = Exclude<TaskDecision, { action: "in_sync" }>;

const MAX_ROWS = 300;

function fieldsText(before: Task | null, after: Task | null): string {
  if (!before || !after) return "";
  return changedFields(before, after)
    .map((f) => FIELD_LABELS[f])
    .join(", ");
}

function describe(decision: ChangeDecision): { what: string; detail: string; tone: "add" | "remove" | "change" | "conflict" } {
  switch (decision.action) {
    case "write_yaml":
    case "write_db": {
      const side = decision.action === "write_yaml" ? "YAML file" : "database";
      if (decision.before === null) return { what: `Added to the ${side}`, detail: "", tone: "add" };
      if (decision.task === null) return { what: `Deleted from the ${side}`, detail: "", tone: "remove" };
      return { what: `Updated in the ${side}`, detail: fieldsText(decision.before, decision.task), tone: "change" };
    }
    case "merge":
      return {
        what: "Merged on both sides",
        detail: [
          decision.fromYaml.length ? `from YAML: ${decision.fromYaml.map((f) => FIELD_LABELS[f]).join(", ")}` : "",
          decision.fromDb.length ? `from DB: ${decision.fromDb.map((f) => FIELD_LABELS[f]).join(", ")}` : "",
        ]
          .filter(Boolean)
          .join("; "),
        tone: "change",
      };
    case "conflict":
      return {
        what: `Conflict: ${CONFLICT_KIND_LABELS[decision.kind] ?? decision.kind}`,
        detail: decision.fields.map((f) => FIELD_LABELS[f]).join(", "),
        tone: "conflict",
      };
  }
}

const TONE_CLASS = {
  add: "text-green-800",
  remove: "text-red-700 font-semibold",
  change: "text-slate-800",
  conflict: "text-amber-800 font-semibold",
} as const;

function sideLine(label: string, c: { create: number; update: number; delete: number }) {
  const none = c.create + c.update + c.delete === 0;
  return (
    <li>
      <span className="font-semibold">{label}:</span>{" "}
      {none ? (
        "no change"
      ) : (
        <>
          gains {pluralize(c.create, "task")}, changes {pluralize(c.update, "task")},{" "}
          <span className={c.delete ? "font-semibold text-red-700" : ""}>loses {pluralize(c.delete, "task")}</span>
        </>
      )}
    </li>
  );
}

/** What a sync did or would do to each side, in words. */
export function PlanCounts({ counts }: { counts: Counts }) {
  return (
    <ul className="space-y-0.5 text-sm">
      {sideLine("YAML file", counts.toYaml)}
      {sideLine("Database", counts.toDb)}
      <li>
        {pluralize(counts.merged, "merge")}, {pluralize(counts.conflicts, "conflict")}, {pluralize(counts.inSync, "task")} already in sync
      </li>
    </ul>
  );
}

/** A dry run's plan: the counts, then one line per task that would change. */
export function SyncPlanView({ result }: { result: RunResult }) {
  const decisions = (result.plan ?? []) as ChangeDecision[];
  return (
    <div className="space-y-3">
      <PlanCounts counts={result.counts} />
      {decisions.length === 0 ? (
        <p className="text-sm text-slate-700">Both sides already agree: nothing would change.</p>
      ) : (
        <div className="max-h-80 overflow-auto rounded border border-slate-200">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Planned changes per task</caption>
            <thead className="sticky top-0 bg-slate-50 text-xs uppercase tracking-wide text-slate-600">
              <tr>
                <th scope="col" className="px-2 py-1.5">
                  Task
                </th>
                <th scope="col" className="px-2 py-1.5">
                  What happens
                </th>
                <th scope="col" className="px-2 py-1.5">
                  Fields
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {decisions.slice(0, MAX_ROWS).map((decision) => {
                const d = describe(decision);
                return (
                  <tr key={decision.id}>
                    <td className="px-2 py-1.5 font-mono text-xs">
                      <Link href={`/tasks/${decision.id}`} className="text-blue-700 hover:underline">
                        {decision.id}
                      </Link>
                    </td>
                    <td className={`px-2 py-1.5 ${TONE_CLASS[d.tone]}`}>{d.what}</td>
                    <td className="px-2 py-1.5 text-slate-600">{d.detail || "—"}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {decisions.length > MAX_ROWS && <p className="px-2 py-1.5 text-xs text-slate-600">…and {decisions.length - MAX_ROWS} more.</p>}
        </div>
      )}
    </div>
  );
}
