import { isMap, isScalar, type Node, type Pair } from "yaml";
import type { Edit } from "./apply-edits";
import { NotPatchable, valueStartWithProps, type PairBlock } from "./pair-block";
import { lineEndOf, lineStartOf } from "../parse/text-lines";
import { fieldValueNode, indentLines, renderPair, type RenderLayout } from "./yaml-render";

/** New value for an existing `key: value`: in place when both fit on the key's line (trailing comment kept), else the whole pair. */
export function replaceValue(text: string, pair: Pair, block: PairBlock, key: string, value: unknown, layout: RenderLayout): Edit {
  const old = pair.value as Node | null;
  const rendered = renderPair(key, fieldValueNode(key, value, old), layout);
  const lines = rendered.split(layout.eol).filter((line, i, all) => i < all.length - 1 || line !== "");
  const prefix = `${key}: `;
  const range = old?.range;
  // The old tag and anchor go with the old value: `!!timestamp` must not describe a new string.
  const start = range ? valueStartWithProps(text, pair) : 0;
  const oldOnKeyLine = range && range[1] > range[0] && lineStartOf(text, start) === block.lineStart && !text.slice(start, range[1]).includes("\n");
  if (lines.length === 1 && lines[0]!.startsWith(prefix) && oldOnKeyLine) {
    const valueText = lines[0]!.slice(prefix.length);
    // Keep an aligned trailing comment in its column.
    const gap = /^( {2,})#/.exec(text.slice(range[1], lineEndOf(text, range[1])));
    if (gap) {
      const pad = Math.max(1, gap[1]!.length - (valueText.length - (range[1] - start)));
      return { start, end: range[1] + gap[1]!.length, text: valueText + " ".repeat(pad) };
    }
    return { start, end: range[1], text: valueText };
  }
  return { start: block.lineStart, end: block.contentEnd, text: indentLines(rendered, block.column) };
}

/** Replaces an empty value (`key:`, `key: ~`, `key: {}`) by a block of lines under the key. */
export function fillEmptyValue(text: string, pair: Pair, lines: string): Edit[] {
  const key = pair.key as Node;
  const value = pair.value as Node | null;
  if (value && !isScalar(value) && !(isMap(value) && value.items.length === 0)) throw new NotPatchable("unexpected value");
  const edits: Edit[] = [];
  const keyLineEnd = lineEndOf(text, key.range![0]);
  const range = value?.range;
  if (range && range[1] > range[0]) {
    if (range[1] > keyLineEnd) throw new NotPatchable("empty value on its own line");
    let start = valueStartWithProps(text, pair);
    while (start > key.range![1] && (text[start - 1] === " " || text[start - 1] === "\t")) start--;
    edits.push({ start, end: range[1], text: "" });
  }
  edits.push({ start: keyLineEnd, end: keyLineEnd, text: lines, ownLine: true });
  return edits;
}

