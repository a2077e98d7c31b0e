import { describe, expect, it } from "vitest";
import { parseSchedule, type YamlIssue } from "../../lib/yaml";
import { reparseSchedule } from "../../lib/yaml/fast/reparse-schedule";
import { mergeConflictIssues } from "../../lib/yaml/parse/merge-conflict";
import { mergeFile, useTempDir } from "../git/_git";
import { yaml } from "./_helpers";

const base = yaml`
  version: 1
  tasks:
    nightly-pg-dump:
      name: Nightly dump
      schedule: "0 2 * * *"
      command: pg_dump app
    weekly-report:
      name: Weekly report
      schedule: "0 9 * * 1"
      command: report.sh
`;
const ours = base.replace('"0 2 * * *"', '"0 3 * * *"');
const theirs = base.replace('"0 2 * * *"', '"0 4 * * *"');

function issuesOf(text: string): YamlIssue[] {
  const result = parseSchedule(text);
  if (result.ok) throw new Error("expected the file to be refused");
  return result.issues;
}

function lineOf(text: string, pattern: RegExp): number {
  return text.split("\n").findIndex((line) => pattern.test(line)) + 1;
}

describe("conflict markers in the schedule file", () => {
  const tempDir = useTempDir();

  for (const style of ["merge", "diff3", "zdiff3"] as const) {
    it(`reports real git merge-file output (${style}) as an unresolved merge with its lines`, async () => {
      const merged = await mergeFile(await tempDir(), base, ours, theirs, style);
      expect(merged).toContain("<<<<<<< HEAD");
      if (style !== "merge") expect(merged).toContain("||||||| base");
      const issues = issuesOf(merged);
      const start = lineOf(merged, /^<<<<<<< HEAD$/);
      const end = lineOf(merged, /^>>>>>>> feature$/);
      expect(issues).toEqual([
        {
          code: "merge_conflict",
          message: `an unresolved git merge in lines ${start}-${end}: keep one side between <<<<<<< HEAD and >>>>>>> feature (or combine them) and delete the marker lines`,
          line: start,
          column: 1,
        },
      ]);
      expect(issues.map((issue) => issue.message).join()).not.toMatch(/Implicit keys/);
    });
  }

  it("names each region of a file with two", async () => {
    const twoOurs = ours.replace("report.sh", "report.sh --ours");
    const twoTheirs = theirs.replace("report.sh", "report.sh --theirs");
    const merged = await mergeFile(await tempDir(), base, twoOurs, twoTheirs);
    const issues = issuesOf(merged);
    expect(issues).toHaveLength(2);
    expect(issues.every((issue) => issue.code === "merge_conflict")).toBe(true);
    expect(issues[1]!.line).toBeGreaterThan(issues[0]!.line);
  });

  it("reads CRLF files the same way", async () => {
    const crlf = (text: string) => text.replace(/\n/g, "\r\n");
    const merged = await mergeFile(await tempDir(), crlf(base), crlf(ours), crlf(theirs));
    expect(merged).toContain("\r\n=======\r\n");
    const issues = issuesOf(merged);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toMatch(/^an unresolved git merge in lines \d+-\d+: keep one side between <<<<<<< HEAD and >>>>>>> feature/);
  });

  it("reports a marker left alone", () => {
    const text = base.replace("  weekly-report:\n", "=======\n  weekly-report:\n");
    const issues = issuesOf(text);
    expect(issues).toEqual([
      {
        code: "merge_conflict",
        message: `a leftover git conflict marker ======= on line ${lineOf(text, /^=======$/)}, outside any <<<<<<< … >>>>>>> region; delete it`,
        line: lineOf(text, /^=======$/),
        column: 1,
      },
    ]);
  });

  it("reports a region that never ends", () => {
    const text = base.replace('    schedule: "0 2 * * *"\n', '<<<<<<< HEAD\n    schedule: "0 3 * * *"\n=======\n    schedule: "0 4 * * *"\n');
    const issues = issuesOf(text);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ code: "merge_conflict", line: 5 });
    expect(issues[0]!.message).toBe("an unfinished git merge in line 5 to the end of the file: <<<<<<< HEAD has no matching >>>>>>> line; resolve the merge and delete the marker lines");
  });

  it("does not take marker-like text inside values for a merge", () => {
    const text = yaml`
      version: 1
      tasks:
        markers:
          name: "<<<<<<< HEAD"
          schedule: "0 2 * * *"
          command: "echo '=======' && echo '>>>>>>> x'"
          description: |
            <<<<<<< HEAD
            =======
            >>>>>>> other
    `;
    const result = parseSchedule(text);
    expect(result.ok).toBe(true);
    expect(mergeConflictIssues(text)).toEqual([]);
    // And a real syntax error next to such a value stays a syntax error.
    const broken = text.replace("version: 1", "version: [1");
    expect(issuesOf(broken).every((issue) => issue.code !== "merge_conflict")).toBe(true);
  });

  it("the incremental re-parse steps aside for markers, so the full parse reports them", async () => {
    const prev = parseSchedule(base);
    if (!prev.ok) throw new Error("base is valid");
    const merged = await mergeFile(await tempDir(), base, ours, theirs);
    expect(reparseSchedule({ text: base, parsed: prev }, merged)).toBeNull();
    // A value edit that only looks like a marker still re-parses.
    const edited = base.replace("command: pg_dump app", "command: echo '<<<<<<< x'");
    expect(reparseSchedule({ text: base, parsed: prev }, edited)?.tasks.get("nightly-pg-dump")?.command).toBe("echo '<<<<<<< x'");
  });
});
