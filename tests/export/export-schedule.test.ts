import { describe, expect, it } from "vitest";
import { renderCrontab, renderJson, type ExportedTask } from "@/lib/export/export-schedule";
import { normalizeCron } from "@/lib/tasks/cron";
import { nextRuns, readCrontab } from "./_crontab";

const task = (id: string, fields: Partial<ExportedTask> = {}): ExportedTask => ({
  id,
  name: `Task ${id}`,
  schedule: "0 2 * * *",
  timezone: "UTC",
  command: `/opt/${id}.sh`,
  tags: [],
  ...fields,
});

const TASKS: ExportedTask[] = [
  task("daily-backup", { schedule: "0 2 * * *", timezone: "Europe/Berlin", command: "pg_dump app > /backups/app-$(date +%Y%m%d).sql" }),
  task("hourly-health", { schedule: "*/15 * * * *", command: "curl -fsS http://localhost/health" }),
  task("weekly-report", { schedule: "30 9 * * 1", timezone: "America/New_York", name: "Weekly\nreport" }),
  task("month-end", { schedule: "@monthly", timezone: "Asia/Kolkata" }),
  task("dst-edge", { schedule: "30 2 * * *", timezone: "Europe/Berlin" }),
  task("every-10-seconds", { schedule: "*/10 * * * * *" }),
  task("two-lines", { command: "echo one\necho two" }),
];
const FROM = new Date("2026-03-27T00:00:00Z"); // Europe/Berlin springs forward on the 29th

describe("crontab export", () => {
  const text = renderCrontab(TASKS, { generatedAt: new Date("2026-12-01T00:00:00Z") });
  const entries = readCrontab(text);

  it("reads back, task by task, as the same schedules in the same zones running the same commands", () => {
    const written = TASKS.filter((t) => t.id !== "every-10-seconds" && t.id !== "two-lines");
    expect(entries.map((e) => e.id).sort()).toEqual(written.map((t) => t.id).sort());
    for (const expected of written) {
      const entry = entries.find((e) => e.id === expected.id)!;
      expect(entry.timezone, expected.id).toBe(expected.timezone);
      expect(entry.command, expected.id).toBe(expected.command);
      // The same fire times, over a daylight-saving change, as the task's own schedule in its own zone.
      expect(nextRuns(entry.schedule, entry.timezone, FROM), expected.id).toEqual(nextRuns(normalizeCron(expected.schedule), expected.timezone, FROM));
    }
  });

  it("says which tasks have no crontab form, and why", () => {
    expect(text).toContain('# skipped every-10-seconds: "*/10 * * * * *" has a seconds field');
    expect(text).toContain("# skipped two-lines: its command spans lines");
    expect(text).toMatch(/^# schedule-sync export: 5 enabled tasks, generated 2026-12-01T00:00:00.000Z\./);
  });

  it("writes one CRON_TZ line per zone and keeps names on one comment line", () => {
    expect(text.match(/^CRON_TZ=/gm)).toHaveLength(4);
    expect(text).toContain("# weekly-report: Weekly report\n");
    expect(text).toContain("pg_dump app > /backups/app-$(date +\\%Y\\%m\\%d).sql");
  });

  it("is only a header for no tasks", () => {
    expect(readCrontab(renderCrontab([]))).toEqual([]);
  });
});

describe("json export", () => {
  it("lists every task given (seconds fields too), by id, with nicknames written out", () => {
    const doc = JSON.parse(renderJson(TASKS, { generatedAt: new Date("2026-12-01T00:00:00Z") })) as { version: number; generatedAt: string; tasks: ExportedTask[] };
    expect(doc.version).toBe(1);
    expect(doc.generatedAt).toBe("2026-12-01T00:00:00.000Z");
    expect(doc.tasks.map((t) => t.id)).toEqual([...TASKS.map((t) => t.id)].sort());
    expect(doc.tasks.find((t) => t.id === "month-end")!.schedule).toBe("0 0 1 * *");
  });
});
