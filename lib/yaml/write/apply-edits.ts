import { NotPatchable } from "./pair-block";
import type { TextEdit } from "../fast/reparse-schedule";

/** One change to a text: `text` takes the place of `[start, end)`. */
export interface Edit {
  start: number;
  end: number;
  text: string;
  /** The text must start on a new line (a line break is added when the output so far does not end with one). */
  ownLine?: boolean;
}

/** The new text, and the edits as applied (a line break added for `ownLine` is part of its edit's text). */
export function applyEdits(text: string, edits: Edit[], eol: string): { text: string; edits: TextEdit[] } {
  const sorted = edits
    .map((edit, index) => ({ edit, index }))
    .sort(
      (a, b) =>
        a.edit.start - b.edit.start ||
        // At one offset: insertions (in the order made) before a replacement that starts there.
        Number(a.edit.end > a.edit.start) - Number(b.edit.end > b.edit.start) ||
        a.index - b.index,
    )
    .map(({ edit }) => edit);
  let out = "";
  let pos = 0;
  const applied: TextEdit[] = [];
  for (const edit of sorted) {
    if (edit.start < pos) throw new NotPatchable("overlapping edits");
    out += text.slice(pos, edit.start);
    const inserted = edit.ownLine && out.length > 0 && !out.endsWith("\n") ? eol + edit.text : edit.text;
    out += inserted;
    applied.push({ start: edit.start, end: edit.end, text: inserted });
    pos = edit.end;
  }
  return { text: out + text.slice(pos), edits: applied };
}

