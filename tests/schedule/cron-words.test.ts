import { describe, expect, it } from "vitest";
import { cronError, normalizeCron } from "@/lib/tasks/cron";
import { normalizeTask, taskSchema } from "@/lib/tasks/task-schema";
import { describeSchedule } from "@/lib/client/describe-schedule";

describe("cron errors in plain words", () => {
  it.each([
    ["61 * * * *", "minute 61 is out of range 0–59"],
    ["0 25 * * *", "hour 25 is out of range 0–23"],
    ["0 0 32 * *", "day of month 32 is out of range 1–31"],
    ["0 0 * 13 *", "month 13 is out of range 1–12"],
    ["0 0 * * 8", "weekday 8 is out of range 0–7"],
    ["0 0 * * FOO", 'weekday "FOO" is not a day name (use SUN–SAT or 0–7)'],
    ["0 0 * FOO *", 'month "FOO" is not a month name (use JAN–DEC or 1–12)'],
    ["x * * * *", 'minute "x" is not a number, range (1-5), list (1,3) or step (*/5)'],
    ["*/0 * * * *", 'minute "*/0": a step (/n) must be at least 1'],
    ["5-1 * * * *", "minute range 5-1 runs backwards (5 is more than 1)"],
    ["0 0 30 2 *", "day 30 of month 2 never happens, so this never runs"],
    ["61 0 * * * *", "second 61 is out of range 0–59"],
    ["* * *", "expected 5 fields (minute hour day-of-month month weekday) or 6 with seconds first, got 3"],
    ["@reboot", "@reboot runs when a machine starts, which is not a schedule; use a time instead"],
    ["@fortnightly", 'unknown nickname "@fortnightly"; use @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly'],
  ])("%s → %s", (expr, message) => {
    expect(cronError(expr)).toBe(message);
  });

  it("the schema says it once, with its prefix", () => {
    const result = taskSchema.safeParse({ id: "a", name: "A", schedule: "61 * * * *", command: "x" });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.message)).toEqual(["is not a valid cron expression: minute 61 is out of range 0–59"]);
  });

  it("a misspelled zone is an unknown zone, not an invalid cron", () => {
    const described = describeSchedule("0 2 * * *", "Europe/Berln");
    expect(described.error).toBeNull();
    expect(described.zoneError).toMatch(/“Europe\/Berln” is not a known time zone/);
    expect(described.text).toBe("At 02:00 AM".replace(" AM", ""));
  });
});

describe("cron nicknames", () => {
  it.each([
    ["@yearly", "0 0 1 1 *"],
    ["@annually", "0 0 1 1 *"],
    ["@monthly", "0 0 1 * *"],
    ["@weekly", "0 0 * * 0"],
    ["@daily", "0 0 * * *"],
    ["@midnight", "0 0 * * *"],
    ["@hourly", "0 * * * *"],
    [" @DAILY ", "0 0 * * *"],
  ])("%s is accepted as %s", (nickname, expanded) => {
    expect(cronError(nickname)).toBeNull();
    expect(normalizeCron(nickname)).toBe(expanded);
    expect(normalizeTask({ id: "a", name: "A", schedule: nickname, command: "x" }).schedule).toBe(expanded);
  });
});
