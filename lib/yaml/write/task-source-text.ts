import { isMap, type Document, type Node } from "yaml";
import { keyString } from "../parse/parse-schedule";
import { pairBlock } from "./pair-block";

/**
 * The exact source text of one task in a parsed document: the comment lines that lead into it,
 * its key and fields, and its trailing comments; `null` when the file has no such task.
 * With `dedent`, the task's indentation is removed so it lines up with `taskToYamlText`.
 */
export function taskSourceText(doc: Document, text: string, id: string, opts: { dedent?: boolean } = {}): string | null {
  const tasks = doc.get("tasks", true);
  if (!isMap(tasks)) return null;
  const pair = tasks.items.find((item) => keyString(item.key) === id);
  if (!pair) return null;
  let block;
  try {
    block = pairBlock(text, pair);
  } catch {
    // Inside a flow map (`tasks: {a: {…}}`): the pair's own range is all there is.
    const start = (pair.key as Node | null)?.range?.[0];
    const end = (pair.value as Node | null)?.range?.[1];
    return start === undefined || end === undefined ? null : text.slice(start, end);
  }
  const source = text.slice(block.leadStart, block.blockEnd);
  if (!opts.dedent || block.column === 0) return source;
  const pad = new RegExp(`^ {1,${block.column}}`, "gm");
  return source.replace(pad, "");
}
