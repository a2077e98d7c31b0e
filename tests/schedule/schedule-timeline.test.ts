import { describe, expect, it } from "vitest";
import { crowdedMinutes } from "@/lib/schedule/crowded-minutes";
import { runsInWindow } from "./_cron-parser-runs";
import { NO_TAG, OTHER_TAGS, scheduleTimeline, type TimelineTask } from "@/lib/schedule/schedule-timeline";

const task = (id: string, schedule: string, timezone = "UTC", tags: string[] = []): TimelineTask => ({ id, name: id, schedule, timezone, command: `run ${id}`, tags });
const FROM = Date.parse("2027-01-04T00:00:00Z"); // a Monday

describe("schedule timeline", () => {
  it("counts runs per hour bucket and per tag, in the viewer's hours", () => {
    const timeline = scheduleTimeline(
      [task("backup", "0 2 * * *", "UTC", ["ops", "db"]), task("warm", "*/30 * * * *", "UTC", ["web"]), task("report", "30 7 * * MON", "Europe/Berlin")],
      { from: FROM + 10 * 60_000, hours: 24, viewerZone: "UTC" },
    );
    expect(timeline.from).toBe("2027-01-04T00:00:00.000Z");
    expect(timeline.total[2]).toBe(1 + 2);
    expect(timeline.total[6]).toBe(2 + 1); // 07:30 Berlin = 06:30 UTC
    expect(timeline.runs).toBe(1 + 48 + 1);
    const row = (tag: string) => timeline.rows.find((r) => r.tag === tag)!;
    expect(row("web").runs.every((n) => n === 2)).toBe(true);
    expect(row("ops").runs[2]).toBe(1);
    expect(row("db").tasks).toBe(1);
    expect(row(NO_TAG).runs[6]).toBe(1);
    expect(timeline.upcoming.slice(0, 3).map((r) => `${r.at} ${r.taskId}`)).toEqual([
      "2027-01-04T00:00:00.000Z warm",
      "2027-01-04T00:30:00.000Z warm",
      "2027-01-04T01:00:00.000Z warm",
    ]);
  });

  it("a viewer half an hour off UTC splits an hour of runs over two buckets", () => {
    const timeline = scheduleTimeline([task("quarter", "*/15 * * * *")], { from: FROM, hours: 24, viewerZone: "Asia/Kolkata" });
    // Buckets start at :30 UTC; every bucket still holds four runs.
    expect(timeline.from.slice(14)).toBe("30:00.000Z");
    expect(timeline.total.every((n) => n === 4)).toBe(true);
  });

  it("bucket totals equal counting cron-parser's runs, over a week", () => {
    const tasks = [task("a", "5 */3 * * *", "America/New_York"), task("b", "0 9 * * 1-5", "Europe/Berlin"), task("c", "*/10 8-17 * * *", "Asia/Kathmandu")];
    const timeline = scheduleTimeline(tasks, { from: FROM, hours: 168, viewerZone: "Europe/Berlin" });
    const from = Date.parse(timeline.from);
    const expected = new Array(168).fill(0);
    for (const t of tasks) for (const run of runsInWindow(t.schedule, t.timezone, from, from + 168 * 3_600_000, 10_000).runs) expected[Math.floor((run - from) / 3_600_000)]++;
    expect(timeline.total).toEqual(expected);
  });

  it("a tag filter keeps only that tag's tasks; rows past the limit are summed", () => {
    const tasks = Array.from({ length: 20 }, (_, i) => task(`t${i}`, `${i} * * * *`, "UTC", [`tag-${i}`]));
    const filtered = scheduleTimeline(tasks, { from: FROM, hours: 24, viewerZone: "UTC", tag: "tag-3" });
    expect(filtered.tasks).toBe(1);
    expect(filtered.rows.map((r) => r.tag)).toEqual(["tag-3"]);
    const all = scheduleTimeline(tasks, { from: FROM, hours: 24, viewerZone: "UTC", maxTagRows: 5 });
    expect(all.rows).toHaveLength(6);
    expect(all.rows.at(-1)).toMatchObject({ tag: OTHER_TAGS, tasks: 15 });
    expect(all.tags).toHaveLength(20);
  });

  it("Europe/Berlin across the last Sunday of March: the skipped 02:30 is warned about once for all tasks", () => {
    const tasks = [task("nightly-a", "30 2 * * *", "Europe/Berlin"), task("nightly-b", "30 2 * * *", "Europe/Berlin"), task("utc", "30 2 * * *")];
    const timeline = scheduleTimeline(tasks, { from: Date.parse("2027-03-26T00:00:00Z"), hours: 168, viewerZone: "UTC" });
    const inWindow = timeline.dst.filter((w) => w.inWindow);
    expect(inWindow).toHaveLength(1);
    expect(inWindow[0]).toMatchObject({ kind: "dst_skipped", zone: "Europe/Berlin", date: "2027-03-28", tasks: 2, taskIds: ["nightly-a", "nightly-b"] });
    // October's change is further out: listed, not in the window.
    expect(timeline.dst.some((w) => w.kind === "dst_doubled" && !w.inWindow)).toBe(true);
  });

  it("many tasks in one minute are reported, few are not", () => {
    const tasks = [...Array.from({ length: 9 }, (_, i) => task(`m${i}`, "0 3 * * *")), task("other", "1 3 * * *")];
    const timeline = scheduleTimeline(tasks, { from: FROM, hours: 24, viewerZone: "UTC", crowdThreshold: 8 });
    expect(timeline.crowded).toEqual([{ at: "2027-01-04T03:00:00.000Z", tasks: 9, sample: tasks.slice(0, 9).map((t) => t.id) }]);
    expect(crowdedMinutes([[["a"], FROM]], 2)).toEqual([]);
  });

  it("10,000 tasks over a week: bounded output, well under a second", () => {
    const tasks = Array.from({ length: 10_000 }, (_, i) => task(`task-${i}`, `${i % 60} ${i % 24} * * *`, i % 3 === 0 ? "Europe/Berlin" : "UTC", ["ops", `group-${i % 7}`]));
    const started = performance.now();
    const timeline = scheduleTimeline(tasks, { from: FROM, hours: 168, viewerZone: "America/New_York" });
    const ms = performance.now() - started;
    expect(timeline.runs).toBe(70_000);
    expect(timeline.upcoming).toHaveLength(100);
    expect(timeline.rows.length).toBeLessThanOrEqual(13);
    expect(JSON.stringify(timeline).length).toBeLessThan(100_000);
    console.log(`timeline of 10,000 tasks over 7 days: ${ms.toFixed(0)} ms`);
  });
});
