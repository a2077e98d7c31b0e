import { describe, expect, it } from "vitest";
import { formatRelative } from "@/lib/client/format";

describe("formatRelative", () => {
  const now = Date.parse("2026-12-01T12:00:00Z");
  it.each([
    ["2026-12-01T11:59:40Z", "just now"],
    ["2026-12-01T12:00:03Z", "just now"],
    ["2026-12-01T12:00:20Z", "in under a minute"],
    ["2026-12-01T12:03:00Z", "in 3 min"],
    ["2026-12-01T11:57:00Z", "3 min ago"],
  ])("%s → %s", (iso, words) => {
    expect(formatRelative(iso, now)).toBe(words);
  });
});
