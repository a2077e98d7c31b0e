import { z } from "zod";
import { normalizeCron } from "../tasks/cron";

/** What a scheduler needs of one enabled task. */
export interface ExportedTask {
  id: string;
  name: string;
  schedule: string;
  timezone: string;
  command: string;
  tags: string[];
}

export const exportFormatSchema = z.enum(["crontab", "json"]);
export type ExportFormat = z.infer<typeof exportFormatSchema>;

export interface ExportOptions {
  /** Written into the header (crontab) or the document (json); default now. */
  generatedAt?: Date;
}

/** A task the crontab cannot express, and why (it is still in the JSON export). */
export interface SkippedTask {
  id: string;
  reason: string;
}

/**
 * The enabled tasks as a crontab (cronie / vixie cron with `CRON_TZ=`): every entry is preceded
 * by a comment naming its task, a `CRON_TZ=` line starts each run of tasks in one zone (cron
 * reads the schedule in that zone), and `%` in a command is escaped (cron would turn it into a
 * line break). A 6-field schedule (seconds) or a command spanning lines has no crontab form:
 * such a task is left out with a comment saying so.
 *
 * @example
 * renderCrontab([{ id: "daily-backup", name: "Backup", schedule: "0 2 * * *", timezone: "Europe/Berlin", command: "backup.sh", tags: [] }])
 * // # schedule-sync export: 1 enabled task …
 * // CRON_TZ=Europe/Berlin
 * // # daily-backup: Backup
 * // 0 2 * * * backup.sh
 */
export function renderCrontab(tasks: readonly ExportedTask[], options: ExportOptions = {}): string {
  const generatedAt = (options.generatedAt ?? new Date()).toISOString();
  const entries: string[] = [];
  const skipped: SkippedTask[] = [];
  let zone: string | null = null;
  // Grouped by zone, then by id: one CRON_TZ line per zone.
  const ordered = [...tasks].sort((a, b) => (a.timezone === b.timezone ? compare(a.id, b.id) : compare(a.timezone, b.timezone)));
  for (const task of ordered) {
    const reason = crontabRefusal(task);
    if (reason) {
      skipped.push({ id: task.id, reason });
      continue;
    }
    if (task.timezone !== zone) {
      zone = task.timezone;
      entries.push("", `CRON_TZ=${zone}`);
    }
    entries.push(`# ${task.id}: ${oneLine(task.name)}`, `${normalizeCron(task.schedule)} ${task.command.replace(/%/g, "\\%")}`);
  }
  const written = ordered.length - skipped.length;
  const header = [
    `# schedule-sync export: ${written} enabled task${written === 1 ? "" : "s"}, generated ${generatedAt}.`,
    "# Generated: edit the schedule in schedule-sync (or its YAML file), not here.",
    ...skipped.map((s) => `# skipped ${s.id}: ${s.reason}`),
  ];
  return `${[...header, ...entries].join("\n")}\n`;
}

/** The enabled tasks as JSON: `{version, generatedAt, tasks: [...]}`, ordered by id. */
export function renderJson(tasks: readonly ExportedTask[], options: ExportOptions = {}): string {
  const ordered = [...tasks].sort((a, b) => compare(a.id, b.id)).map((task) => ({ ...task, schedule: normalizeCron(task.schedule) }));
  return `${JSON.stringify({ version: 1, generatedAt: (options.generatedAt ?? new Date()).toISOString(), tasks: ordered }, null, 2)}\n`;
}

export function renderExport(format: ExportFormat, tasks: readonly ExportedTask[], options: ExportOptions = {}): string {
  return format === "crontab" ? renderCrontab(tasks, options) : renderJson(tasks, options);
}

export const EXPORT_CONTENT_TYPE: Record<ExportFormat, string> = {
  crontab: "text/plain; charset=utf-8",
  json: "application/json",
};

function crontabRefusal(task: ExportedTask): string | null {
  if (normalizeCron(task.schedule).split(" ").length !== 5) return `"${task.schedule}" has a seconds field, which crontab does not have`;
  if (/[\r\n]/.test(task.command)) return "its command spans lines, which a crontab entry cannot";
  return null;
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, " ");
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
