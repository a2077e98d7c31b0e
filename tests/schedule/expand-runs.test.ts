import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cronFields } from "@/lib/schedule/cron-fields";
import { expandRuns } from "@/lib/schedule/expand-runs";
import { runsInWindow } from "./_cron-parser-runs";
import { zoneTransitions } from "@/lib/schedule/zone-offsets";

const DAY = 86_400_000;
const ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "Asia/Kathmandu"];

const field = (min: number, max: number) =>
  fc.oneof(
    fc.constant("*"),
    fc.integer({ min, max }).map(String),
    fc.tuple(fc.integer({ min, max }), fc.integer({ min, max })).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
    fc.integer({ min: 1, max: Math.max(1, Math.floor((max - min) / 2)) }).map((n) => `*/${n}`),
    fc.uniqueArray(fc.integer({ min, max }), { minLength: 2, maxLength: 4 }).map((values) => values.join(",")),
  );
const expression = fc.tuple(field(0, 59), field(0, 23), field(1, 28), field(1, 12), field(0, 6)).map((parts) => parts.join(" "));

describe("expanding a schedule from its fields", () => {
  it.each([
    ["0 2 * * *", "Europe/Berlin", "2027-01-10T00:00:00Z", 3, ["2027-01-10T01:00:00.000Z", "2027-01-11T01:00:00.000Z", "2027-01-12T01:00:00.000Z"]],
    ["30 9 * * 1-5", "America/New_York", "2027-01-08T00:00:00Z", 3, ["2027-01-08T14:30:00.000Z", "2027-01-11T14:30:00.000Z", "2027-01-12T14:30:00.000Z"]],
    ["0 0 L * *", "UTC", "2027-02-01T00:00:00Z", 2, ["2027-02-28T00:00:00.000Z", "2027-03-31T00:00:00.000Z"]],
    ["0 12 * * 5#2", "UTC", "2027-01-01T00:00:00Z", 2, ["2027-01-08T12:00:00.000Z", "2027-02-12T12:00:00.000Z"]],
    ["*/20 * * * * *", "UTC", "2027-01-01T00:00:00Z", 4, ["2027-01-01T00:00:00.000Z", "2027-01-01T00:00:20.000Z", "2027-01-01T00:00:40.000Z", "2027-01-01T00:01:00.000Z"]],
    ["@daily", "Asia/Kathmandu", "2027-01-01T00:00:00Z", 2, ["2027-01-01T18:15:00.000Z", "2027-01-02T18:15:00.000Z"]],
  ])("%s in %s from %s", (schedule, zone, from, count, expected) => {
    const start = Date.parse(from);
    const runs = expandRuns(cronFields(schedule)!, zone, start, start + 400 * DAY, count);
    expect(runs.map((t) => new Date(t).toISOString())).toEqual(expected);
  });

  it("property: outside the days of a clock change every run is one cron-parser computes, and none is missing", () => {
    fc.assert(
      fc.property(expression, fc.constantFrom(...ZONES), fc.integer({ min: 0, max: 364 }), (schedule, zone, dayOfYear) => {
        const from = Date.parse("2027-01-01T00:00:00Z") + dayOfYear * DAY;
        const to = from + 3 * DAY;
        // cron-parser's treatment of a repeated or skipped hour depends on the expression;
        // those days are what the DST warnings are for.
        fc.pre(zoneTransitions(zone, from - DAY, to + DAY).length === 0);
        const mine = expandRuns(cronFields(schedule)!, zone, from, to, 5_000);
        const theirs = runsInWindow(schedule, zone, from, to, 5_000).runs;
        expect(mine).toEqual(theirs);
      }),
      { numRuns: 150 },
    );
  });

  it("property: on clock-change days the runs are still ordered, distinct and inside the window", () => {
    fc.assert(
      fc.property(expression, fc.constantFrom("Europe/Berlin", "America/New_York", "Australia/Lord_Howe"), (schedule, zone) => {
        const from = Date.parse("2027-03-27T00:00:00Z");
        const to = from + 3 * DAY;
        const runs = expandRuns(cronFields(schedule)!, zone, from, to, 5_000);
        for (let i = 1; i < runs.length; i++) expect(runs[i]!).toBeGreaterThan(runs[i - 1]!);
        for (const run of runs) expect(run >= from && run < to).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});
