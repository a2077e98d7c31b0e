/**
 * Finds where a YAML text nests deeper than `limit`, in one pass over its characters and
 * without parsing: flow collections (`[`, `{`) inside each other, or block entries stacked
 * on one line (`- - - x`, `? ? x`). The yaml parser spends seconds on such text before it
 * fails with a stack overflow (5 MiB of `[` took 30 s, blocking the server), so the file is
 * refused up front instead. Returns the offset of the first bracket or indicator past the
 * limit, or -1.
 *
 * It follows just enough of YAML to count only real indicators: quoted scalars, comments,
 * plain scalars (a `[` inside `echo [x]` is text) and block scalars (`|`, `>`) are skipped.
 * Where it simplifies, it counts less, never more, so it cannot refuse a file that a
 * schedule would plausibly hold.
 *
 * @example
 * nestingBeyond("tags: [ops, [a, b]]", 100) // -1
 * nestingBeyond("x: " + "[".repeat(500), 100) // 103: the 101st `[`
 */
export function nestingBeyond(text: string, limit: number): number {
  const n = text.length;
  let depth = 0; // flow depth
  let compact = 0; // block indicators on the current line
  let atNode = true; // the next non-blank character starts a node
  let lineIndent = 0;
  let lineStart = true;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 /* \n */ || c === 13 /* \r */) {
      lineStart = true;
      lineIndent = 0;
      if (depth === 0) {
        atNode = true;
        compact = 0;
      }
      continue;
    }
    if (c === 32 /* space */ || c === 9 /* tab */) {
      if (lineStart && c === 32) lineIndent++;
      continue;
    }
    const blankBefore = i === 0 || isBreakOrBlank(text.charCodeAt(i - 1));
    lineStart = false;
    if (c === 35 /* # */ && blankBefore) {
      i = endOfLine(text, i) - 1;
      continue;
    }
    if (atNode) {
      if (c === 34 /* " */) {
        i = closingDoubleQuote(text, i);
        atNode = false;
      } else if (c === 39 /* ' */) {
        i = closingSingleQuote(text, i);
        atNode = false;
      } else if (c === 91 /* [ */ || c === 123 /* { */) {
        if (++depth > limit) return i;
      } else if ((c === 45 /* - */ || c === 63 /* ? */) && depth === 0 && isBreakOrBlank(text.charCodeAt(i + 1))) {
        if (++compact > limit) return i;
      } else if (c === 38 /* & */ || c === 33 /* ! */) {
        i = endOfToken(text, i) - 1; // an anchor or tag: the node follows
      } else if ((c === 124 /* | */ || c === 62 /* > */) && depth === 0) {
        i = endOfBlockScalar(text, i, lineIndent) - 1;
      } else {
        atNode = false;
        if (depth > 0) i = endOfFlowPlain(text, i) - 1;
      }
      continue;
    }
    if (depth > 0) {
      if (c === 44 /* , */) atNode = true;
      else if (c === 93 /* ] */ || c === 125 /* } */) depth--;
      else if (c === 58 /* : */ && isFlowBreak(text.charCodeAt(i + 1))) atNode = true;
      else if (c === 91 /* [ */ || c === 123 /* { */) {
        if (++depth > limit) return i;
        atNode = true;
      }
    } else if (c === 58 /* : */ && isBreakOrBlank(text.charCodeAt(i + 1))) {
      atNode = true;
    }
  }
  return -1;
}

function isBreakOrBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || Number.isNaN(c);
}

function isFlowBreak(c: number): boolean {
  return isBreakOrBlank(c) || c === 44 || c === 91 || c === 93 || c === 123 || c === 125;
}

function endOfLine(text: string, i: number): number {
  const next = text.indexOf("\n", i);
  return next === -1 ? text.length : next;
}

function endOfToken(text: string, i: number): number {
  let j = i;
  while (j < text.length && !isFlowBreak(text.charCodeAt(j))) j++;
  return j;
}

/** A plain scalar inside a flow collection ends at a flow indicator, `: ` or ` #`. */
function endOfFlowPlain(text: string, i: number): number {
  let j = i;
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (c === 44 || c === 91 || c === 93 || c === 123 || c === 125) return j;
    if (c === 58 && isFlowBreak(text.charCodeAt(j + 1))) return j;
    if (c === 35 && isBreakOrBlank(text.charCodeAt(j - 1))) return j;
    j++;
  }
  return j;
}

function closingDoubleQuote(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 92 /* \ */) j++;
    else if (c === 34) return j;
  }
  return text.length;
}

function closingSingleQuote(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    if (text.charCodeAt(j) === 39) {
      if (text.charCodeAt(j + 1) === 39) j++;
      else return j;
    }
  }
  return text.length;
}

/** Skips a block scalar: its header line and every following line that is blank or indented past `indent`. */
function endOfBlockScalar(text: string, i: number, indent: number): number {
  let j = endOfLine(text, i);
  while (j < text.length) {
    const start = j + 1;
    let k = start;
    while (k < text.length && text.charCodeAt(k) === 32) k++;
    const blank = k >= text.length || text.charCodeAt(k) === 10 || text.charCodeAt(k) === 13;
    if (!blank && k - start <= indent) return j;
    j = endOfLine(text, start);
  }
  return text.length;
}
