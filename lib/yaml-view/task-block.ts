import { isMap, LineCounter, parse, parseDocument, type Node } from "yaml";
import { taskSourceText } from "../yaml";
import { keyString } from "../yaml/parse/parse-schedule";

export interface TaskYamlSource {
  /** The task's text as in the file, comments included, indentation removed. */
  text: string;
  /** 1-based line of the task's key. */
  line: number;
}

/**
 * One task's source in a schedule file. The block is found by scanning the text and checked by
 * parsing just that block: parsing a whole 10,000-task file for one task page takes seconds. A
 * layout the scan does not follow (flow maps, odd indentation) falls back to parsing the file.
 */
export function taskBlock(text: string, id: string): TaskYamlSource | null {
  return scanTaskBlock(text, id) ?? parseTaskBlock(text, id);
}

/**
 * The block of `tasks.<id>` in a block-style file, the way the YAML writer sees a pair: the
 * comment lines right above the key at its indentation, the key and its value, and comment
 * lines after it indented deeper than the key. Null when not found or not certain.
 */
export function scanTaskBlock(text: string, id: string): TaskYamlSource | null {
  const lines = text.split(/\r?\n/);
  const tasksAt = lines.findIndex((line) => /^tasks:\s*(#.*)?$/.test(line));
  if (tasksAt === -1) return null;
  const indent = (line: string) => line.length - line.trimStart().length;
  const isSkippable = (line: string) => line.trim() === "" || line.trimStart().startsWith("#");
  let column = -1;
  let keyAt = -1;
  let end = -1;
  for (let i = tasksAt + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (isSkippable(line)) continue;
    const n = indent(line);
    if (n === 0) break;
    if (column === -1) column = n;
    if (n < column) return null;
    if (n > column) {
      if (keyAt !== -1) end = i;
      continue;
    }
    if (keyAt !== -1) break;
    const key = /^\s*(?:"([^"\\]*)"|'([^']*)'|([^\s"'#:][^:#]*?))\s*:(?:\s|$)/.exec(line);
    if (key && (key[1] ?? key[2] ?? key[3]) === id) keyAt = end = i;
  }
  if (keyAt === -1) return null;
  let start = keyAt;
  while (start - 1 > tasksAt && lines[start - 1]!.trimStart().startsWith("#") && indent(lines[start - 1]!) === column) start--;
  while (end + 1 < lines.length && lines[end + 1]!.trimStart().startsWith("#") && indent(lines[end + 1]!) > column) end++;
  const block = lines
    .slice(start, end + 1)
    .map((line) => line.slice(Math.min(column, indent(line))))
    .join("\n");
  // Confirmed by parsing the block alone: one key, the task's.
  let parsed: unknown;
  try {
    parsed = parse(block);
  } catch {
    return null;
  }
  if (!parsed || typeof parsed !== "object" || Object.keys(parsed).length !== 1 || !(id in parsed)) return null;
  return { text: `${block}\n`, line: keyAt + 1 };
}

/** The same answer from a full parse (the YAML writer's own notion of a task's block). */
export function parseTaskBlock(text: string, id: string): TaskYamlSource | null {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false });
  if (doc.errors.length > 0) return null;
  const source = taskSourceText(doc, text, id, { dedent: true });
  if (source === null) return null;
  const tasks = doc.get("tasks", true);
  const pair = isMap(tasks) ? tasks.items.find((item) => keyString(item.key) === id) : undefined;
  const keyAt = (pair?.key as Node | undefined)?.range?.[0];
  return { text: source.replace(/\s+$/, "\n"), line: keyAt === undefined ? 1 : lines.linePos(keyAt).line };
}
