import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dstWarnings } from "@/lib/schedule/dst-warnings";
import { offsetMinutes, zoneTransitions } from "@/lib/schedule/zone-offsets";

const at = (iso: string) => Date.parse(iso);
const YEAR_2027 = [at("2027-01-01T00:00:00Z"), at("2028-01-01T00:00:00Z")] as const;

describe("zone transitions", () => {
  it.each([
    // zone, instant of the change, offsets before → after (minutes east of UTC)
    ["Europe/Berlin", "2027-03-28T01:00:00.000Z", 60, 120],
    ["Europe/Berlin", "2027-10-31T01:00:00.000Z", 120, 60],
    ["America/New_York", "2027-03-14T07:00:00.000Z", -300, -240],
    ["America/New_York", "2027-11-07T06:00:00.000Z", -240, -300],
    ["Australia/Lord_Howe", "2027-04-03T15:00:00.000Z", 660, 630],
    ["Australia/Lord_Howe", "2027-10-02T15:30:00.000Z", 630, 660],
  ])("%s changes at %s from %i to %i", (zone, iso, before, after) => {
    const changes = zoneTransitions(zone, ...YEAR_2027);
    expect(changes).toContainEqual({ at: at(iso), before, after });
    expect(changes).toHaveLength(2);
  });

  it.each(["UTC", "Asia/Tokyo", "Asia/Kolkata", "Etc/GMT+5"])("%s never changes", (zone) => {
    expect(zoneTransitions(zone, ...YEAR_2027)).toEqual([]);
  });

  it("the offset on either side of a change is the one reported", () => {
    for (const zone of ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Santiago"]) {
      for (const change of zoneTransitions(zone, ...YEAR_2027)) {
        expect(offsetMinutes(zone, change.at - 60_000)).toBe(change.before);
        expect(offsetMinutes(zone, change.at)).toBe(change.after);
      }
    }
  });
});

describe("DST warnings", () => {
  const march = [at("2027-03-01T00:00:00Z"), at("2027-04-01T00:00:00Z")] as const;
  const october = [at("2027-10-01T00:00:00Z"), at("2027-11-01T00:00:00Z")] as const;

  it.each([
    // schedule, zone, window, expected kind, date, clocks, times
    ["30 2 * * *", "Europe/Berlin", march, "dst_skipped", "2027-03-28", "02:00", "03:00", ["02:30"]],
    ["30 2 * * *", "Europe/Berlin", october, "dst_doubled", "2027-10-31", "03:00", "02:00", ["02:30"]],
    ["0,15,30,45 2 * * *", "Europe/Berlin", march, "dst_skipped", "2027-03-28", "02:00", "03:00", ["02:00", "02:15", "02:30", "02:45"]],
    ["0 2 * * 0", "Europe/Berlin", march, "dst_skipped", "2027-03-28", "02:00", "03:00", ["02:00"]],
    ["15 2 * * *", "America/New_York", march, "dst_skipped", "2027-03-14", "02:00", "03:00", ["02:15"]],
    ["30 1 * * *", "America/New_York", [at("2027-11-01T00:00:00Z"), at("2027-12-01T00:00:00Z")], "dst_doubled", "2027-11-07", "02:00", "01:00", ["01:30"]],
    // Lord Howe moves by 30 minutes: only 02:00-02:29 is skipped, 01:30-01:59 repeated.
    ["15 2 * * *", "Australia/Lord_Howe", [at("2027-10-01T00:00:00Z"), at("2027-10-10T00:00:00Z")], "dst_skipped", "2027-10-03", "02:00", "02:30", ["02:15"]],
    ["45 1 * * *", "Australia/Lord_Howe", [at("2027-04-01T00:00:00Z"), at("2027-04-10T00:00:00Z")], "dst_doubled", "2027-04-04", "02:00", "01:30", ["01:45"]],
  ] as const)("%s in %s", (schedule, zone, window, kind, date, clockFrom, clockTo, times) => {
    const warnings = dstWarnings(schedule, zone, ...window);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ kind, zone, date, clockFrom, clockTo, times });
    expect(warnings[0]!.message).toContain(zone);
  });

  it.each([
    ["35 2 * * *", "Australia/Lord_Howe", "02:35 is after Lord Howe's 30-minute jump"],
    ["30 2 * * 1-6", "Europe/Berlin", "the schedule does not fire on Sundays"],
    ["30 3 * * *", "Europe/Berlin", "03:30 exists and happens once"],
    ["*/15 * * * *", "Europe/Berlin", "a schedule firing every hour shrugs off one hour"],
    ["30 2 * * *", "UTC", "UTC has no clock changes"],
    ["30 2 * * *", "Asia/Tokyo", "Japan has no DST"],
  ])("none for %s in %s: %s", (schedule, zone) => {
    expect(dstWarnings(schedule, zone, ...YEAR_2027)).toEqual([]);
  });

  it("a whole year of a daily 02:30 in Berlin: one skipped, one doubled", () => {
    expect(dstWarnings("30 2 * * *", "Europe/Berlin", ...YEAR_2027).map((w) => w.kind)).toEqual(["dst_skipped", "dst_doubled"]);
  });

  it("property: a warning exactly when the schedule's local time falls in a skipped or repeated span", () => {
    const zones = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "UTC", "Asia/Tokyo"];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 23 }), fc.constantFrom(...zones), (minute, hour, zone) => {
        const warnings = dstWarnings(`${minute} ${hour} * * *`, zone, ...YEAR_2027);
        const expected = zoneTransitions(zone, ...YEAR_2027).filter((change) => {
          const wallBefore = change.at + change.before * 60_000;
          const wallAfter = change.at + change.after * 60_000;
          const [start, end] = wallBefore < wallAfter ? [wallBefore, wallAfter] : [wallAfter, wallBefore];
          const day = Math.floor(start / 86_400_000) * 86_400_000;
          const wall = day + hour * 3_600_000 + minute * 60_000;
          return wall >= start && wall < end;
        });
        expect(warnings.map((w) => w.at)).toEqual(expected.map((c) => new Date(c.at).toISOString()));
      }),
      { numRuns: 300 },
    );
  });
});
