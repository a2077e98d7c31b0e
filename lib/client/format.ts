import { TASK_FIELDS, type Task, type TaskField } from "@/lib/tasks/task-fields";
import type { Trigger } from "@/lib/sync/engine/apply-plan";

/** Pure formatting shared by server and client components. */

const absolute = new Intl.DateTimeFormat("en-GB", {
  dateStyle: "medium",
  timeStyle: "medium",
  timeZone: "UTC",
});

/** `25 Nov 2026, 11:00:00 UTC`: the same on the server and in every browser. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${absolute.format(date)} UTC`;
}

/** `3 min ago`, `in 2 h`, `just now`, `in under a minute`. */
export function formatRelative(iso: string, now = Date.now()): string {
  const diff = new Date(iso).getTime() - now;
  const abs = Math.abs(diff);
  // "just now" is for the past: a sync due in 20 s has not happened yet.
  if (abs < 45_000) return diff > 5_000 ? "in under a minute" : "just now";
  const units: [number, string][] = [
    [86_400_000, "d"],
    [3_600_000, "h"],
    [60_000, "min"],
  ];
  for (const [size, unit] of units) {
    if (abs >= size) {
      const n = Math.round(abs / size);
      return diff < 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`;
    }
  }
  return diff < 0 ? "1 min ago" : "in 1 min";
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export const FIELD_LABELS: Record<TaskField | "id", string> = {
  id: "ID",
  name: "Name",
  schedule: "Schedule",
  timezone: "Time zone",
  command: "Command",
  enabled: "Enabled",
  description: "Description",
  tags: "Tags",
};

/** A field's value as text, for tables and diffs. */
export function formatFieldValue(field: TaskField, value: Task[TaskField] | undefined): string {
  if (value === undefined) return "—";
  if (field === "enabled") return value ? "yes" : "no";
  if (field === "tags") return Array.isArray(value) && value.length ? value.join(", ") : "(none)";
  if (value === null || value === "") return "(none)";
  return String(value);
}

export { TASK_FIELDS };

export const DIRECTION_LABELS: Record<string, string> = {
  bidirectional: "Both ways",
  yaml_to_db: "YAML → DB",
  db_to_yaml: "DB → YAML",
};

/** Every trigger has a label: a new one without a label fails the type check. */
export const TRIGGER_LABELS: Record<Trigger, string> & Record<string, string | undefined> = {
  startup: "Start-up",
  watch: "File change",
  cron: "Scheduled",
  manual: "Sync now",
  api: "API write",
  resolve: "Conflict resolved",
  revert: "Revert",
  restore: "Restore of a file revision",
  cli: "CLI",
  converge: "Follow-up sync",
  git: "Git pull",
};

export const SOURCE_LABELS: Record<string, string> = {
  yaml: "YAML file",
  db: "Database",
  api: "Web UI / API",
  merge: "Merge",
  resolve: "Conflict resolution",
  revert: "Revert",
};

/** Who made a file revision (issue #17), as "saved from revision … (10:05, by the dashboard or the API)" reads it. */
export const REVISION_AUTHORS: Record<string, string> = {
  yaml: "by hand or by a program",
  db: "by the dashboard or the API",
  merge: "by the server, merging both sides",
  restore: "by a restore",
};

export const CONFLICT_KIND_LABELS: Record<string, string> = {
  both_modified: "Both sides changed",
  modify_delete: "Changed in YAML, deleted in DB",
  delete_modify: "Deleted in YAML, changed in DB",
  both_created: "Created on both sides",
  held_deletion: "Held: part of a mass deletion",
};

export const RESOLUTION_LABELS: Record<string, string> = {
  keep_yaml: "Kept YAML",
  keep_db: "Kept DB",
  merge: "Merged",
  converged: "Sides agreed",
  forced_yaml_to_db: "Forced YAML → DB",
  forced_db_to_yaml: "Forced DB → YAML",
};

export function pluralize(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
}
