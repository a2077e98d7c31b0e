// The pure LCS line diff behind the conflict page. No browser and no server: it runs
// here because it is browser code (lib/client) and Playwright is the UI's test runner.
import { expect, test } from "@playwright/test";
import { diffLines } from "../lib/client/line-diff";

const render = (a: string, b: string) => diffLines(a, b).map((l) => `${{ same: " ", add: "+", remove: "-" }[l.kind]}${l.text}`);

test("a changed line is a removal followed by an addition, with line numbers on both sides", () => {
  expect(diffLines("a\nb\nc\n", "a\nx\nc\n")).toEqual([
    { kind: "same", text: "a", oldLine: 1, newLine: 1 },
    { kind: "remove", text: "b", oldLine: 2 },
    { kind: "add", text: "x", newLine: 2 },
    { kind: "same", text: "c", oldLine: 3, newLine: 3 },
  ]);
});

test("empty sides are all additions or all removals", () => {
  expect(render("", "a\nb\n")).toEqual(["+a", "+b"]);
  expect(render("a\nb", "")).toEqual(["-a", "-b"]);
  expect(diffLines("", "")).toEqual([]);
});

test("keeps the longest common subsequence of lines", () => {
  expect(render("a\nb\nc\nd\n", "b\nc\nx\nd\ne\n")).toEqual(["-a", " b", " c", "+x", " d", "+e"]);
  expect(render("name: A\nschedule: 1\ntags: []\n", "name: A\ntags: []\nschedule: 1\n")).toHaveLength(4);
});

test("CRLF and a missing final newline do not count as differences", () => {
  expect(render("a\r\nb\r\n", "a\nb")).toEqual([" a", " b"]);
});

test("applying the diff to the old text gives the new text", () => {
  const a = "k1: v1\nk2: v2\nk3: v3\nk4: v4\nk5: v5\n";
  const b = "k0: v0\nk1: v1\nk3: v3x\nk4: v4\nk6: v6\n";
  const lines = diffLines(a, b);
  expect(lines.filter((l) => l.kind !== "add").map((l) => l.text)).toEqual(a.trimEnd().split("\n"));
  expect(lines.filter((l) => l.kind !== "remove").map((l) => l.text)).toEqual(b.trimEnd().split("\n"));
});
