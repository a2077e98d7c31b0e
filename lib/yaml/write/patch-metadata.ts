import { isMap, Scalar, type Node, type YAMLMap } from "yaml";
import type { Edit } from "./apply-edits";
import { pairBlock } from "./pair-block";
import { keyString, type ScheduleMetadata } from "../parse/parse-schedule";
import { fillEmptyValue, replaceValue } from "./replace-value";
import { indentLines, renderPair, type RenderLayout } from "./yaml-render";

/** Edits that stamp `metadata` (adding the block, or the keys it lacks, when missing); `unit` indents a new block. */
export function patchMetadata(
  text: string,
  root: YAMLMap,
  metadata: Required<ScheduleMetadata>,
  unit: number,
  layout: RenderLayout,
  edits: Edit[],
): void {
  const entries = Object.entries(metadata) as [keyof ScheduleMetadata, string][];
  const renderEntries = (column: number, only = entries) =>
    only.map(([key, value]) => indentLines(renderPair(key, new Scalar(value), layout), column)).join("");
  const pair = root.items.find((item) => keyString(item.key) === "metadata");
  if (!pair) {
    const at = text.length;
    edits.push({ start: at, end: at, text: `metadata:${layout.eol}` + renderEntries(unit), ownLine: true });
    return;
  }
  const value = pair.value as Node | null;
  if (!isMap(value) || value.flow || value.items.length === 0) {
    edits.push(...fillEmptyValue(text, pair, renderEntries(unit)));
    return;
  }
  const blocks = value.items.map((item) => ({ key: keyString(item.key), pair: item, block: pairBlock(text, item) }));
  const column = blocks[0]!.block.column;
  const missing: typeof entries = [];
  for (const [key, v] of entries) {
    const found = blocks.find((b) => b.key === key);
    if (found) edits.push(replaceValue(text, found.pair, found.block, key, v, layout));
    else missing.push([key, v]);
  }
  if (missing.length > 0) {
    const at = blocks[blocks.length - 1]!.block.blockEnd;
    edits.push({ start: at, end: at, text: renderEntries(column, missing), ownLine: true });
  }
}


/**
 * The edit that removes a `metadata:` block (comment lines leading into it included), which
 * earlier versions of the server appended to the file on every write (issue #17: it trapped tasks
 * appended at the bottom and made git branches conflict). Nothing when the file has none.
 */
export function dropMetadata(text: string, root: YAMLMap, edits: Edit[]): void {
  const pair = root.items.find((item) => keyString(item.key) === "metadata");
  if (!pair) return;
  const block = pairBlock(text, pair);
  edits.push({ start: block.leadStart, end: block.blockEnd, text: "" });
}
