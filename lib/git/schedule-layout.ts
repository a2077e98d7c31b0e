import { isMap, isScalar, type Node } from "yaml";
import { keyString, knownFreeOfAliases, parseSchedule, type ParseResult } from "../yaml/parse/parse-schedule";
import { detectEol, lineEndOf, lineStartOf } from "../yaml/parse/text-lines";
import { NotPatchable, pairBlock } from "../yaml/write/pair-block";

type ParsedOk = Extract<ParseResult, { ok: true }>;

/** One task's text: what separates it from the task before (blank lines, stray comments), then its own lines. */
export interface TaskBlock {
  id: string;
  /** Blank lines and comments at another column between the previous task and this one. */
  sep: string;
  /** The comment lines leading into the task, its key line, its value and its deeper comments, ending with a line break. */
  body: string;
}

/**
 * A schedule file cut into the part before the tasks (header comments, `version`, the `tasks:`
 * line), one block per task in file order, and what follows the last task (`metadata`, trailing
 * comments). `head + blocks.map(sep + body) + tail` is the file again, byte for byte (with a
 * line break added after the last line if the file lacked one: `finalNewline: false`).
 */
export interface ScheduleLayout {
  head: string;
  blocks: TaskBlock[];
  tail: string;
  eol: "\n" | "\r\n";
  finalNewline: boolean;
  /** Column of the task keys, and how much deeper their fields are. */
  column: number;
  step: number;
  parsed: ParsedOk;
  /** Where the tail's `metadata:` block sits in `tail` (the server's stamp), if it has one. */
  tailMetadata: { start: number; end: number } | null;
}

/** `|+` / `>+` block scalars: their trailing blank lines are part of the value, so a cut between tasks would change it. */
const KEEP_CHOMPING = /[|>](?:[1-9]?\+|\+[1-9]?)[ \t]*(?:#.*)?\r?$/m;

/**
 * Cuts the text of a valid schedule file into head, task blocks and tail, or returns null when
 * the file is laid out in a way that cannot be cut per task (flow-style `tasks`, keys not at the
 * start of their lines or at different columns, anchors and aliases, `|+` scalars, an empty
 * `tasks`): the caller then works with values, not text.
 */
export function cutSchedule(input: string, parsed?: ParsedOk): ScheduleLayout | null {
  const eol = detectEol(input);
  const finalNewline = input.length === 0 || input.endsWith("\n");
  const text = finalNewline ? input : input + eol;
  let result: ParseResult | ParsedOk | undefined = parsed && finalNewline ? parsed : undefined;
  result ??= parseSchedule(text);
  if (!result.ok) return null;
  // An alias may point into another task's block: blocks taken from different sides could break it.
  if (KEEP_CHOMPING.test(text) || !knownFreeOfAliases(result)) return null;
  const root = result.doc.contents;
  if (!isMap(root) || root.flow) return null;
  const tasksPair = root.items.find((pair) => keyString(pair.key) === "tasks");
  const tasksMap = tasksPair?.value as Node | null | undefined;
  if (!tasksPair || !isMap(tasksMap) || tasksMap.flow || tasksMap.items.length === 0) return null;

  try {
    const tasksKey = (tasksPair.key as Node).range![0];
    if (tasksKey !== lineStartOf(text, tasksKey)) return null;
    const headEnd = lineEndOf(text, tasksKey);
    const blocks: TaskBlock[] = [];
    let column = -1;
    let step = 2;
    let prevEnd = headEnd;
    for (const pair of tasksMap.items) {
      const block = pairBlock(text, pair);
      if (column === -1) column = block.column;
      if (block.column !== column || block.leadStart < prevEnd) return null;
      blocks.push({ id: keyString(pair.key)!, sep: text.slice(prevEnd, block.leadStart), body: text.slice(block.leadStart, block.blockEnd) });
      prevEnd = block.blockEnd;
      if (blocks.length === 1 || step <= 0) step = fieldStep(text, pair.value as Node | null, column) ?? step;
    }
    if (column < 1 || step < 1) return null;
    const tail = text.slice(prevEnd);
    const meta = root.items.find((pair) => keyString(pair.key) === "metadata");
    let tailMetadata: ScheduleLayout["tailMetadata"] = null;
    if (meta && isScalar(meta.key) && meta.key.range && meta.key.range[0] >= prevEnd) {
      const block = pairBlock(text, meta);
      tailMetadata = { start: block.leadStart - prevEnd, end: block.blockEnd - prevEnd };
    }
    return { head: text.slice(0, headEnd), blocks, tail, eol, finalNewline, column, step, parsed: result, tailMetadata };
  } catch (error) {
    if (error instanceof NotPatchable) return null;
    throw error;
  }
}

/** The text a layout stands for (the file it was cut from). */
export function joinLayout(layout: Pick<ScheduleLayout, "head" | "blocks" | "tail" | "finalNewline" | "eol">): string {
  let text = layout.head;
  for (const block of layout.blocks) text += block.sep + block.body;
  text += layout.tail;
  return layout.finalNewline || !text.endsWith(layout.eol) ? text : text.slice(0, -layout.eol.length);
}

function fieldStep(text: string, value: Node | null, column: number): number | null {
  if (!isMap(value) || value.flow || value.items.length === 0) return null;
  const start = (value.items[0]!.key as Node | null)?.range?.[0];
  if (start === undefined) return null;
  return start - lineStartOf(text, start) - column;
}
