import type { Node, Pair } from "yaml";
import { indentOf, isCommentLine, lineAt, lineEndOf, lineStartOf, previousLineStart } from "../parse/text-lines";

/**
 * Where one `key: value` pair of a block map sits in the source text. Comment lines right above
 * the key at the key's indentation belong to the pair (`leadStart`), and so do comment lines
 * after its value indented deeper than the key (`blockEnd`).
 */
export interface PairBlock {
  keyStart: number;
  /** Start of the line holding the key. */
  lineStart: number;
  column: number;
  /** Start of the comment lines that lead into the pair (or `lineStart`). */
  leadStart: number;
  /** End (after the line break) of the last line holding the value, its trailing comment included. */
  contentEnd: number;
  /** `contentEnd`, extended over the comment lines that belong to the pair. */
  blockEnd: number;
}

/** Thrown when the text is laid out in a way the in-place editor does not handle. */
export class NotPatchable extends Error {
  override name = "NotPatchable";
}

/** With `explicitKey`, the key may follow a `? ` indicator (`? id`); the pair starts at the indicator then. */
export function pairBlock(text: string, pair: Pair, opts: { explicitKey?: boolean } = {}): PairBlock {
  const { keyStart, lineStart, itemStart } = keyLine(text, pair, opts);
  const column = itemStart - lineStart;

  let leadStart = lineStart;
  for (let prev = previousLineStart(text, leadStart); prev >= 0; prev = previousLineStart(text, leadStart)) {
    const line = lineAt(text, prev);
    if (!isCommentLine(line) || indentOf(line) !== column) break;
    leadStart = prev;
  }

  const value = pair.value as Node | null;
  let contentEnd: number;
  if (!value?.range || value.range[1] <= value.range[0]) {
    contentEnd = lineEndOf(text, keyStart);
  } else {
    let end = value.range[1];
    while (end > keyStart && /\s/.test(text[end - 1]!)) end--;
    contentEnd = lineEndOf(text, Math.max(end - 1, keyStart));
  }

  let blockEnd = contentEnd;
  while (blockEnd < text.length) {
    const line = lineAt(text, blockEnd);
    if (!isCommentLine(line) || indentOf(line) <= column) break;
    blockEnd = lineEndOf(text, blockEnd);
  }
  return { keyStart, lineStart, column, leadStart, contentEnd, blockEnd };
}

/**
 * Where the pair's key and its line start; throws NotPatchable unless the key (or, with
 * `explicitKey`, its `?` indicator: `itemStart`) is the first thing on its line.
 */
export function keyLine(text: string, pair: Pair, opts: { explicitKey?: boolean } = {}): { keyStart: number; lineStart: number; itemStart: number } {
  const keyStart = (pair.key as Node | null)?.range?.[0];
  if (keyStart === undefined) throw new NotPatchable("key without a source range");
  const lineStart = lineStartOf(text, keyStart);
  let itemStart = keyStart;
  if (opts.explicitKey) {
    let at = keyStart;
    while (at > lineStart && text.charCodeAt(at - 1) === 32) at--;
    if (at > lineStart && text[at - 1] === "?" && at < keyStart) itemStart = at - 1;
  }
  for (let i = lineStart; i < itemStart; i++) {
    if (text.charCodeAt(i) !== 32) throw new NotPatchable("key is not the first thing on its line");
  }
  return { keyStart, lineStart, itemStart };
}

/**
 * Where the pair's value begins in the text, its tag and anchor (`!!timestamp`, `&name`)
 * included: the node's own range starts after them.
 */
export function valueStartWithProps(text: string, pair: Pair): number {
  const value = pair.value as (Node & { tag?: string; anchor?: string }) | null;
  const start = value?.range?.[0];
  if (start === undefined) throw new NotPatchable("value without a source range");
  if (!value!.tag && !value!.anchor) return start;
  const keyEnd = (pair.key as Node | null)?.range?.[1];
  if (keyEnd === undefined || keyEnd > start) throw new NotPatchable("value before its key");
  // Between key and value: the indicator, spaces, line breaks, comments and the properties.
  for (const token of text.slice(keyEnd, start).matchAll(/#.*|[^\s]+/g)) {
    if (token[0][0] === "!" || token[0][0] === "&") return keyEnd + token.index;
  }
  throw new NotPatchable("tag or anchor not found before the value");
}
