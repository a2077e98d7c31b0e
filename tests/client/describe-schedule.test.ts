import { describe, expect, it } from "vitest";
import { describeSchedule } from "@/lib/client/describe-schedule";

const at = (iso: string) => new Date(iso);

describe("describeSchedule", () => {
  it("says what a schedule means and lists its next runs in the task's zone", () => {
    const described = describeSchedule("0 2 * * *", "Europe/Berlin", 2, at("2026-11-25T12:00:00Z"));
    expect(described.error).toBeNull();
    expect(described.text).toBe("At 02:00");
    expect(described.next.map((run) => run.iso)).toEqual(["2026-11-26T01:00:00.000Z", "2026-11-27T01:00:00.000Z"]);
    expect(described.next[0]!.label).toBe("Thu 26 Nov, 02:00 Europe/Berlin");
  });

  it("answers from its cache only while the runs it listed are still ahead", () => {
    const expr = "30 * * * *";
    const first = describeSchedule(expr, "UTC", 2, at("2026-11-25T10:00:00Z"));
    expect(describeSchedule(expr, "UTC", 2, at("2026-11-25T10:29:59Z"))).toBe(first);
    const later = describeSchedule(expr, "UTC", 2, at("2026-11-25T10:30:00Z"));
    expect(later.next.map((run) => run.iso)).toEqual(["2026-11-25T11:30:00.000Z", "2026-11-25T12:30:00.000Z"]);
    // An earlier time than the cached one is worked out again, not served the later list.
    const earlier = describeSchedule(expr, "UTC", 2, at("2026-11-25T09:00:00Z"));
    expect(earlier.next[0]!.iso).toBe("2026-11-25T09:30:00.000Z");
    expect(describeSchedule(expr, "UTC", 1, at("2026-11-25T09:00:00Z")).next).toHaveLength(1);
  });

  it("keeps an invalid expression or zone invalid, with the reason; a bad zone is not a bad cron", () => {
    expect(describeSchedule("61 * * * *", "UTC")).toMatchObject({ text: null, next: [] });
    expect(describeSchedule("61 * * * *", "UTC").error).toBe("minute 61 is out of range 0–59");
    expect(describeSchedule("0 2 * * *", "Mars/Olympus")).toMatchObject({ error: null, text: "At 02:00", next: [], zoneError: "“Mars/Olympus” is not a known time zone (e.g. UTC, Europe/Berlin)" });
  });
});
