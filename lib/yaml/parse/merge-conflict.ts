import type { YamlIssue } from "./yaml-issue";

/**
 * Git's conflict markers: at the start of a line, seven (or `conflict-marker-size`) of `<`, `|`,
 * `=` or `>`; all but `=` followed by a space and a label, or by nothing.
 */
const MARKER_LINE = /^(<{7,}|\|{7,}|={7,}|>{7,})([ \t][^\r\n]*)?\r?$/gm;

export interface MergeRegion {
  /** 1-based lines of the `<<<<<<<` marker and of the `>>>>>>>` marker (0: the region never ends). */
  start: number;
  end: number;
  ours?: string;
  theirs?: string;
}

/**
 * The unresolved git merges in a schedule file's text, as `merge_conflict` issues: "an unresolved
 * git merge in lines 12-20: …", one per region, plus a marker that stands alone. Empty when
 * the text holds no marker line. A marker-like text inside a value is never at the start of a
 * line (values are indented under their key), so it is not taken for one.
 */
export function mergeConflictIssues(text: string): YamlIssue[] {
  if (!hasMarkerLine(text)) return [];
  const issues: YamlIssue[] = [];
  let open: { line: number; label: string; middle: boolean } | null = null;
  let line = 1;
  let lastIndex = 0;
  MARKER_LINE.lastIndex = 0;
  for (let match = MARKER_LINE.exec(text); match; match = MARKER_LINE.exec(text)) {
    line += countNewlines(text, lastIndex, match.index);
    lastIndex = match.index;
    const kind = match[1]![0]!;
    const label = (match[2] ?? "").trim();
    if (kind === "<") {
      if (open) issues.push(unfinished(open.line, line - 1, open.label));
      open = { line, label, middle: false };
    } else if (kind === ">") {
      if (open && open.middle) {
        issues.push({
          code: "merge_conflict",
          message: `an unresolved git merge in lines ${open.line}-${line}: keep one side between ${describe("<", open.label)} and ${describe(">", label)} (or combine them) and delete the marker lines`,
          line: open.line,
          column: 1,
        });
      } else issues.push(lone(line, match[1]!));
      open = null;
    } else if (kind === "=") {
      if (open) open.middle = true;
      else issues.push(lone(line, match[1]!));
    } else if (!open) issues.push(lone(line, match[1]!));
  }
  if (open) issues.push(unfinished(open.line, 0, open.label));
  return issues;
}

/** Cheap test, for callers that only need to know (the re-parse steps aside). */
export function hasMarkerLine(text: string): boolean {
  for (const marker of ["<<<<<<<", "=======", ">>>>>>>", "|||||||"]) {
    const at = text.indexOf(marker);
    if (at === -1) continue;
    MARKER_LINE.lastIndex = 0;
    // Any occurrence at a line start (the first hit may be inside a value).
    for (let i = at; i !== -1; i = text.indexOf(marker, i + 1)) {
      if (i === 0 || text[i - 1] === "\n") {
        MARKER_LINE.lastIndex = i;
        const match = MARKER_LINE.exec(text);
        if (match && match.index === i) return true;
      }
    }
  }
  return false;
}

function describe(side: "<" | ">", label: string): string {
  const marker = side.repeat(7);
  return label ? `${marker} ${label}` : marker;
}

function unfinished(start: number, lastLine: number, label: string): YamlIssue {
  const where = lastLine > 0 ? `lines ${start}-${lastLine}` : `line ${start} to the end of the file`;
  return {
    code: "merge_conflict",
    message: `an unfinished git merge in ${where}: ${describe("<", label)} has no matching >>>>>>> line; resolve the merge and delete the marker lines`,
    line: start,
    column: 1,
  };
}

function lone(line: number, marker: string): YamlIssue {
  return {
    code: "merge_conflict",
    message: `a leftover git conflict marker ${marker} on line ${line}, outside any <<<<<<< … >>>>>>> region; delete it`,
    line,
    column: 1,
  };
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf("\n", from); i !== -1 && i < to; i = text.indexOf("\n", i + 1)) n++;
  return n;
}
