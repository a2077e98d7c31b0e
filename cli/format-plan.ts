import type { Direction, TaskDecision } from "../lib/sync/reconcile/plan";
import type { RunResult } from "../lib/sync/engine/sync-engine";
import type { SideChangeCounts } from "../lib/sync/reconcile/summarize-plan";
import { changedFields, TASK_FIELDS, type Task, type TaskField } from "../lib/tasks/task-schema";
import { formatValue } from "./format-value";
import { plural } from "./plural";

/** True when a sync would change anything: a write, a merge, a conflict, or creating the missing file. */
export function hasDrift(result: RunResult): boolean {
  return (result.plan?.length ?? 0) > 0 || result.yamlChecksum === null;
}

/**
 * A dry-run plan as a person reads it: one line per task that would change (`+` gain,
 * `~` change, `-` lose, `!` conflict) and the differing fields under it.
 *
 * @example
 * ~ daily-backup  database would change schedule (edited in YAML)
 *     schedule: "0 2 * * *" → "30 2 * * *"
 */
export function formatPlan(result: RunResult, where: string): string {
  const decisions = result.plan ?? [];
  const lines: string[] = [];
  if (!hasDrift(result)) {
    return `No drift: the YAML file and the database agree (${plural(result.counts.total, "task")}; ${where}).\n`;
  }
  lines.push(`Drift between the YAML file and the database (${result.direction}; ${where}):`, "");
  if (result.yamlChecksum === null) lines.push("  + the YAML file does not exist: a sync would create it from the database");
  const width = Math.min(40, Math.max(0, ...decisions.map((d) => d.id.length)));
  for (const decision of decisions) lines.push(...describeDecision(decision, result.direction, width));
  lines.push("", planFooter(result));
  return `${lines.join("\n")}\n`;
}

function describeDecision(decision: TaskDecision, direction: Direction, width: number): string[] {
  const id = decision.id.padEnd(width);
  switch (decision.action) {
    case "in_sync":
      return [];
    case "write_db":
    case "write_yaml": {
      const side = decision.action === "write_db" ? "database" : "YAML";
      const why = reason(decision.action, direction, decision.before, decision.task);
      // A rename is one line, on its new id.
      if (decision.action === "write_db" && decision.rename) {
        return decision.rename.to === decision.id ? [`  > ${id}  database would rename ${decision.rename.from} to it (the file renamed it)`] : [];
      }
      if (decision.before === null && decision.task !== null) {
        return [`  + ${id}  ${side} would gain it${why}`, ...taskLines(decision.task)];
      }
      if (decision.task === null) return [`  - ${id}  ${side} would lose it${why}`];
      const fields = changedFields(decision.before!, decision.task);
      return [`  ~ ${id}  ${side} would change ${fields.join(", ")}${why}`, ...fieldChanges(decision.before!, decision.task, fields)];
    }
    case "merge": {
      const toYaml = changedFields(decision.yamlBefore, decision.task);
      const toDb = changedFields(decision.dbBefore, decision.task);
      const parts = [toYaml.length ? `YAML would change ${toYaml.join(", ")}` : "", toDb.length ? `database would change ${toDb.join(", ")}` : ""];
      return [
        `  ~ ${id}  merge of edits on both sides: ${parts.filter(Boolean).join("; ")}`,
        ...fieldChanges(decision.yamlBefore, decision.task, toYaml, " (in YAML)"),
        ...fieldChanges(decision.dbBefore, decision.task, toDb, " (in the database)"),
      ];
    }
    case "conflict": {
      const head = `  ! ${id}  conflict: ${conflictText(decision.kind)}; both sides stay as they are until it is resolved`;
      const { base, yaml, db } = decision;
      if (yaml && db) {
        return [
          head,
          ...changedFields(yaml, db).map(
            (f) => `      ${f}: YAML ${formatValue(yaml[f])} · database ${formatValue(db[f])}${base ? ` (was ${formatValue(base[f])})` : ""}`,
          ),
        ];
      }
      const present = yaml ?? db;
      const where = yaml ? " (in YAML)" : " (in the database)";
      return [head, ...(present && base ? fieldChanges(base, present, changedFields(base, present), where) : [])];
    }
  }
}

function reason(action: "write_db" | "write_yaml", direction: Direction, before: Task | null, after: Task | null): string {
  if (direction === "yaml_to_db") return " (YAML wins)";
  if (direction === "db_to_yaml") return " (database wins)";
  const origin = action === "write_db" ? "in YAML" : "in the database";
  const verb = before === null ? "created" : after === null ? "deleted" : "edited";
  return ` (${verb} ${origin})`;
}

/** What happened on each side, in words, for a conflict `kind`. */
export function conflictText(kind: string): string {
  switch (kind) {
    case "both_modified":
      return "both sides changed the same field differently";
    case "both_created":
      return "created on both sides with different values";
    case "modify_delete":
      return "edited in YAML, deleted in the database";
    case "delete_modify":
      return "deleted in YAML, edited in the database";
    case "held_deletion":
      return "deleted on one side as part of a mass deletion: held until someone applies or undoes it";
    default:
      return kind;
  }
}

function fieldChanges(before: Task, after: Task, fields: readonly TaskField[], suffix = ""): string[] {
  return fields.map((f) => `      ${f}: ${formatValue(before[f])} → ${formatValue(after[f])}${suffix}`);
}

/** A new task's fields, defaults left out. */
function taskLines(task: Task): string[] {
  const defaults: Partial<Record<TaskField, unknown>> = { timezone: "UTC", enabled: true, description: null };
  return TASK_FIELDS.filter((f) => !(f in defaults && defaults[f] === task[f]) && !(f === "tags" && task.tags.length === 0)).map(
    (f) => `      ${f}: ${formatValue(task[f])}`,
  );
}

export function sideCounts(counts: SideChangeCounts): string {
  return `${counts.create} created, ${counts.update} updated, ${counts.delete} deleted`;
}

function planFooter(result: RunResult): string {
  const { toYaml, toDb, merged, conflicts } = result.counts;
  const lines = [
    `A sync would write: YAML ${sideCounts(toYaml)}; database ${sideCounts(toDb)} (${merged} merged); ${plural(conflicts, "conflict")}.`,
  ];
  if (conflicts > 0) lines.push(conflictHint());
  const writes = toYaml.create + toYaml.update + toYaml.delete + toDb.create + toDb.update + toDb.delete;
  if (writes > 0 || result.yamlChecksum === null) lines.push("Run `schedule-sync sync` to apply it.");
  return lines.join("\n");
}

/** How a person gets a conflict out of the way. */
export function conflictHint(): string {
  return "Conflicts need a decision: resolve them in the web UI, or let one side win with `schedule-sync sync --direction yaml_to_db --force` (or db_to_yaml).";
}
