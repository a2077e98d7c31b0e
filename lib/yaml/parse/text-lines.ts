/** Offset-based line helpers for editing YAML text in place. A line includes its `\n`. */

export function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

/** Offset just after the `\n` that ends the line holding `offset` (or the end of the text). */
export function lineEndOf(text: string, offset: number): number {
  const nl = text.indexOf("\n", offset);
  return nl === -1 ? text.length : nl + 1;
}

/** The line starting at `start`, without its line break. */
export function lineAt(text: string, start: number): string {
  const end = lineEndOf(text, start);
  return text.slice(start, end).replace(/\r?\n$/, "");
}

export function isBlankLine(line: string): boolean {
  return /^[ \t]*\r?$/.test(line);
}

export function isCommentLine(line: string): boolean {
  return /^[ \t]*#/.test(line);
}

export function indentOf(line: string): number {
  return /^ */.exec(line)![0].length;
}

/** Start of the line before the one starting at `start`, or -1 at the top. */
export function previousLineStart(text: string, start: number): number {
  return start === 0 ? -1 : lineStartOf(text, start - 1);
}

export function detectEol(text: string): "\n" | "\r\n" {
  const nl = text.indexOf("\n");
  return nl > 0 && text[nl - 1] === "\r" ? "\r\n" : "\n";
}
