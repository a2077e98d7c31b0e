/** Lines of a file around a position, for a compiler-style excerpt with a pointer. */
export interface CodeFrame {
  lines: { number: number; text: string; target: boolean }[];
  /** 1-based column the pointer goes under on the target line (0: no pointer). */
  column: number;
}

const MAX_LINE = 200;

/**
 * The `context` lines before and after `line` (1-based) of `text`; long lines are cut.
 *
 * @example
 * codeFrame("a: 1\nb: [\nc: 3\n", 2, 4, 1)
 * // → { lines: [{ number: 1, text: "a: 1", … }, { number: 2, text: "b: [", target: true }, { number: 3, … }], column: 4 }
 */
export function codeFrame(text: string, line: number, column: number, context = 2): CodeFrame | null {
  if (line < 1) return null;
  const all = text.split(/\r?\n/);
  if (line > all.length) return null;
  const first = Math.max(1, line - context);
  const last = Math.min(all.length, line + context);
  const lines = [];
  for (let n = first; n <= last; n++) {
    const raw = all[n - 1]!;
    lines.push({ number: n, text: raw.length > MAX_LINE ? `${raw.slice(0, MAX_LINE)}…` : raw, target: n === line });
  }
  return { lines, column: column > 0 && column <= MAX_LINE + 1 ? column : 0 };
}
