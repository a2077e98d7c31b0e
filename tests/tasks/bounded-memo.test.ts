import { describe, expect, it } from "vitest";
import { boundedMemo } from "@/lib/tasks/bounded-memo";
import { cronError } from "@/lib/tasks/cron";
import { isValidTimezone } from "@/lib/tasks/task-schema";

describe("boundedMemo", () => {
  it("computes each key once and keeps at most maxEntries results, dropping the oldest", () => {
    const calls: string[] = [];
    const memo = boundedMemo(2, (key) => {
      calls.push(key);
      return key.length;
    });
    expect([memo("a"), memo("bb"), memo("a")]).toEqual([1, 2, 1]);
    expect(calls).toEqual(["a", "bb"]);
    memo("ccc"); // evicts "a"
    memo("a");
    expect(calls).toEqual(["a", "bb", "ccc", "a"]);
  });

  it("memoizes falsy results too", () => {
    let calls = 0;
    const memo = boundedMemo(10, () => (calls++, null));
    memo("x");
    memo("x");
    expect(calls).toBe(1);
  });
});

describe("memoized task checks", () => {
  it("give the same answers as before, keyed by time zone and expression", () => {
    expect(cronError("0 2 * * *")).toBeNull();
    expect(cronError("99 * * * *")).toMatch(/59/);
    expect(cronError("99 * * * *")).toMatch(/59/);
    expect(cronError("* * *")).toMatch(/^expected 5 fields .* got 3$/);
    expect(isValidTimezone("Europe/Berlin")).toBe(true);
    expect(isValidTimezone("Mars/Olympus")).toBe(false);
    expect(isValidTimezone("Mars/Olympus")).toBe(false);
  });
});
