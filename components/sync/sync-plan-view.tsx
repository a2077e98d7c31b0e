import Link from "next/link";
import type { Task } from "@/lib/tasks/task-schema";
import type { RunResult, TaskDecision } from "@/lib/client/api-types";
import { conflictFields, describeConflictFields } from "@/lib/client/conflict-fields";
import { CONFLICT_KIND_LABELS, formatFieldValue, pluralize } from "@/lib/client/format";
import { sideChanges, type SideChange } from "@/lib/client/plan-values";
import { FieldValuesTable } from "@/components/tasks/field-values-table";

type Counts = RunResult["counts"];
type ChangeDecision = Exclude<TaskDecision, { action: "in_sync" }>;

const MAX_TASKS = 200;
const SIDE_NAME = { yaml: "YAML file", db: "Database" } as const;
const KIND_WORD = { create: "gains the task", update: "changes", delete: "loses the task" } as const;

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

/** The side changes of every write and merge in a dry run, and how many edits it would throw away. */
export function planLosses(result: RunResult): number {
  let losses = 0;
  for (const decision of (result.plan ?? []) as ChangeDecision[]) {
    if (decision.action === "conflict") continue;
    for (const change of sideChanges(decision, result.bases?.[decision.id])) losses += change.losses;
  }
  return losses;
}

function SideTable({ change }: { change: SideChange }) {
  return (
    <div className="min-w-0">
      <p className="text-xs font-semibold text-slate-700">
        {SIDE_NAME[change.side]} {KIND_WORD[change.kind]}
        {change.losses > 0 && (
          <span className="ml-2 rounded bg-red-100 px-1.5 py-0.5 font-semibold text-red-900">
            <span aria-hidden="true">⚠ </span>
            {change.kind === "delete" ? "deletes it" : `discards ${pluralize(change.losses, "edit")}`}
          </span>
        )}
      </p>
      <FieldValuesTable
        caption={`${SIDE_NAME[change.side]}: values now and after the sync`}
        headers={["Now", "After"]}
        rows={change.fields.map((f) => ({
          field: f.field,
          tone: f.discards ? "loss" : undefined,
          values: [
            <>
              {f.discards && <span className="sr-only">edit that is discarded: </span>}
              {change.kind === "create" ? "—" : f.before}
            </>,
            change.kind === "delete" ? "(deleted)" : f.after,
          ],
        }))}
      />
    </div>
  );
}

function ConflictValues({ decision }: { decision: Extract<ChangeDecision, { action: "conflict" }> }) {
  const fields = conflictFields(decision.base, decision.yaml, decision.db);
  const shown = decision.yaml && decision.db ? [...fields.clash, ...fields.fromYaml, ...fields.fromDb] : [];
  const val = (task: Task | null, field: (typeof shown)[number]) => (task ? formatFieldValue(field, task[field]) : "(deleted)");
  return (
    <div className="text-xs">
      <p className="text-amber-900">{describeConflictFields(fields)} Both sides are left as they are until someone resolves it.</p>
      {shown.length > 0 && (
        <FieldValuesTable
          caption="YAML and database values of the conflicting task"
          headers={["YAML", "Database"]}
          rows={shown.map((field) => {
            const clash = fields.clash.includes(field);
            return { field, tone: clash ? "clash" : undefined, note: clash ? "clash" : "merges", values: [val(decision.yaml, field), val(decision.db, field)] };
          })}
        />
      )}
    </div>
  );
}

function heading(decision: ChangeDecision): string {
  switch (decision.action) {
    case "write_yaml":
      return decision.before === null ? "Added to the YAML file" : decision.task === null ? "Deleted from the YAML file" : "Updated in the YAML file";
    case "write_db":
      if (decision.rename) return decision.rename.to === decision.id ? `Renamed from ${decision.rename.from} in the database` : `Renamed to ${decision.rename.to} in the database`;
      return decision.before === null ? "Added to the database" : decision.task === null ? "Deleted from the database" : "Updated in the database";
    case "merge":
      return "Merged: each side gets the other's fields";
    case "conflict":
      return `Conflict: ${CONFLICT_KIND_LABELS[decision.kind] ?? decision.kind}`;
  }
}

/**
 * A dry run's plan: the counts, then per task the values each side has now and would have
 * after the run. Values a one-sided run would throw away (an edit made on the losing side
 * since the two last agreed) are marked in red.
 */
export function SyncPlanView({ result }: { result: RunResult }) {
  const decisions = (result.plan ?? []) as ChangeDecision[];
  const losses = planLosses(result);
  return (
    <div className="space-y-3">
      <PlanCounts counts={result.counts} />
      {losses > 0 && (
        <p className="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm font-semibold text-red-900" data-testid="plan-losses">
          <span aria-hidden="true">⚠ </span>This run throws away {pluralize(losses, "edit")} (marked in red below). They cannot be brought back except from the history.
        </p>
      )}
      {decisions.length === 0 ? (
        <p className="text-sm text-slate-700">Both sides already agree: nothing would change.</p>
      ) : (
        <ol className="max-h-[28rem] space-y-2 overflow-auto rounded border border-slate-200 p-2" data-testid="plan-tasks" aria-label="Planned changes per task">
          {decisions.slice(0, MAX_TASKS).map((decision) => (
            <li key={decision.id} className="rounded border border-slate-200 bg-white p-2" data-plan-task={decision.id}>
              <p className="mb-1 text-sm">
                <Link href={`/tasks/${decision.id}`} className="font-mono font-semibold text-blue-700 hover:underline">
                  {decision.id}
                </Link>{" "}
                <span className={decision.action === "conflict" ? "font-semibold text-amber-900" : "text-slate-800"}>{heading(decision)}</span>
              </p>
              {decision.action === "conflict" ? (
                <ConflictValues decision={decision} />
              ) : (
                <div className="grid gap-3 md:grid-cols-2">
                  {sideChanges(decision, result.bases?.[decision.id]).map((change) => (
                    <SideTable key={change.side} change={change} />
                  ))}
                </div>
              )}
            </li>
          ))}
          {decisions.length > MAX_TASKS && <li className="px-2 py-1.5 text-xs text-slate-600">…and {decisions.length - MAX_TASKS} more tasks.</li>}
        </ol>
      )}
    </div>
  );
}
