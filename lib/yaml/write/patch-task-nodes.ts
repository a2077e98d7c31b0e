import { isMap, Pair, parseDocument, Scalar, YAMLMap, type Node } from "yaml";
import { changedFields, TASK_FIELDS, type Task, type TaskField } from "../../tasks/task-schema";
import type { Change } from "./apply-schedule-patch";
import { applyEdits, type Edit } from "./apply-edits";
import { NotPatchable, pairBlock, type PairBlock } from "./pair-block";
import { keyString } from "../parse/parse-schedule";
import { dropMetadata, patchMetadata } from "./patch-metadata";
import { detectEol, indentOf, isBlankLine, lineAt, lineEndOf, lineStartOf, previousLineStart } from "../parse/text-lines";
import {
  fieldValueNode,
  indentLines,
  omittedWhenDefault,
  renderInline,
  renderNode,
  renderTask,
  taskBodyNode,
  WRITE_SCHEMA,
  type RenderLayout,
} from "./yaml-render";

/**
 * The writer for layouts the in-place patcher leaves alone: a flow-style `tasks: {…}`,
 * explicit `? id` keys, fields that do not start their line. The yaml Document API makes the
 * changes on the task nodes, and only the text of what changed is replaced, found by the nodes'
 * source ranges: a changed task's body (rendered by the library, so its comments are kept but
 * their spacing may change), a deleted task, a new one after the last. Everything else stays
 * byte for byte: the other tasks, comments, blank lines, line endings, a byte order mark.
 *
 * Throws NotPatchable for what it does not handle (`tasks` empty, an alias, or not a map);
 * the caller then re-renders the whole Document.
 */
export function patchTaskNodes(text: string, change: Change): string {
  const doc = parseDocument(text, { stringKeys: true, uniqueKeys: false, ...WRITE_SCHEMA });
  if (doc.errors.length > 0) throw new NotPatchable("the text does not parse");
  const root = doc.contents;
  if (!isMap(root) || root.flow) throw new NotPatchable("root is not a block map");
  const tasksPair = root.items.find((pair) => keyString(pair.key) === "tasks");
  const tasks = tasksPair?.value;
  if (!tasksPair || !isMap(tasks) || tasks.items.length === 0 || !tasks.range) throw new NotPatchable("no tasks to patch by node");

  const eol = detectEol(text);
  const flow = tasks.flow === true;
  const byId = new Map(tasks.items.map((pair) => [keyString(pair.key), pair]));
  const blocks = flow ? null : tasks.items.map((pair) => pairBlock(text, pair, { explicitKey: true }));
  const column = blocks ? blocks[0]!.column : 0;
  const layout: RenderLayout = { unit: bodyUnit(text, tasks.items, blocks), indentSeq: true, eol };
  // `{ a: 1 }` or `{a: 1}`: new flow maps follow the file's own.
  const padded = (node: Node) => /^[{[] /.test(text.slice(node.range![0], node.range![0] + 2));
  const padding = flow && padded(tasks);
  const edits: Edit[] = [];

  for (const task of change.upserts) {
    const old = change.before.get(task.id);
    const pair = byId.get(task.id);
    if (!old || !pair) continue;
    const fields = changedFields(old, task);
    if (fields.length === 0) continue;
    const body = pair.value as Node | null;
    if (!body?.range) throw new NotPatchable("task body without a source range");
    if (isMap(body) && body.items.length > 0) {
      patchTaskBody(body, old, task);
      edits.push({ start: body.range[0], end: body.range[1], text: renderBody(text, body, layout, body.flow === true && padded(body)) });
    } else {
      // An alias of another task's body: this task's own fields in its place.
      edits.push({ start: body.range[0], end: body.range[1], text: renderInline(flowBody(task), { padding }) });
    }
  }

  const kept = tasks.items.filter((pair) => !change.deletes.has(keyString(pair.key) ?? ""));
  const added = change.upserts.filter((task) => !change.before.has(task.id));
  if (flow) {
    if (kept.length === 0) {
      // Nothing of the old map is left: a new one of the added tasks (or `{}`) takes its place.
      const map = flowMap(added);
      edits.push({ start: tasks.range[0], end: tasks.range[1], text: renderInline(map, { padding }) });
    } else {
      const deleted = tasks.items.map((pair) => change.deletes.has(keyString(pair.key) ?? ""));
      for (let first = 0; first < deleted.length; first++) {
        if (!deleted[first]) continue;
        let last = first;
        while (deleted[last + 1]) last++;
        edits.push(removeFlowItems(text, tasks, first, last));
        first = last;
      }
      const last = tasks.items[tasks.items.length - 1]!;
      const at = itemEnd(last);
      for (const task of added) edits.push({ start: at, end: at, text: `, ${renderInline(flowMap([task]), { padding }).slice(1, -1)}` });
    }
  } else {
    const tasksKeyLine = lineStartOf(text, (tasksPair.key as Node).range![0]);
    let end = blocks![blocks!.length - 1]!.blockEnd;
    tasks.items.forEach((pair, index) => {
      if (!change.deletes.has(keyString(pair.key) ?? "")) return;
      const block = blocks![index]!;
      // The blank lines after a task go with it when a blank line (or `tasks:`) stays before it.
      let cut = block.blockEnd;
      const prev = previousLineStart(text, block.leadStart);
      if (prev === tasksKeyLine || (prev >= 0 && isBlankLine(lineAt(text, prev)))) {
        while (cut < text.length && isBlankLine(lineAt(text, cut))) cut = lineEndOf(text, cut);
      }
      edits.push({ start: block.leadStart, end: cut, text: "" });
      if (index === blocks!.length - 1) end = cut;
    });
    if (added.length > 0) {
      edits.push({ start: end, end, text: added.map((task) => renderTask(task, column, layout)).join(""), ownLine: true });
    } else if (kept.length === 0) {
      const colon = text.indexOf(":", (tasksPair.key as Node).range![1]);
      edits.push({ start: colon + 1, end: colon + 1, text: " {}" });
    }
  }

  if (change.metadata) patchMetadata(text, root, change.metadata, column || layout.unit, layout, edits);
  else if (change.dropMetadata) dropMetadata(text, root, edits);
  return applyEdits(text, edits, eol).text;
}

/**
 * Makes a task's body node hold `task` instead of `old`: each changed field set (or removed
 * when it is the default), keeping the comments the library hangs on the old value (a trailing
 * comment, a block scalar's header comment); a new field goes after the present field that
 * comes last before it in schema order.
 */
export function patchTaskBody(body: YAMLMap, old: Task, task: Task): void {
  for (const field of changedFields(old, task)) setField(body, field, task[field]);
}


function setField(body: YAMLMap, field: TaskField, value: Task[TaskField]): void {
  const index = body.items.findIndex((pair) => keyString(pair.key) === field);
  if (omittedWhenDefault(field, value)) {
    if (index !== -1) body.items.splice(index, 1);
    return;
  }
  const existing = index === -1 ? undefined : body.items[index]!;
  const old = existing?.value as Node | null | undefined;
  const node = fieldValueNode(field, value, old);
  if (old) {
    node.comment = old.comment;
    node.commentBefore = old.commentBefore;
    node.spaceBefore = old.spaceBefore;
  }
  if (existing) {
    existing.value = node;
    return;
  }
  const rank = TASK_FIELDS.indexOf(field);
  let at = 0;
  body.items.forEach((pair, i) => {
    const r = TASK_FIELDS.indexOf(keyString(pair.key) as TaskField);
    if (r !== -1 && r < rank) at = i + 1;
  });
  body.items.splice(at, 0, new Pair(new Scalar(field), node) as (typeof body.items)[number]);
}

/**
 * The text of a changed body for its source range `[range[0], range[1])`. Comments the library
 * hangs on the body itself lie outside that range (before it, or after it on the same line)
 * and stay in the text, so they are left out here, except those written inside a flow map's braces.
 */
function renderBody(text: string, body: YAMLMap, layout: RenderLayout, padding: boolean): string {
  const start = body.range![0];
  body.commentBefore = undefined;
  body.spaceBefore = false;
  if (body.flow) {
    body.comment = commentInside(text, body);
    const rendered = renderNode(body, layout, { flowCollectionPadding: padding }).replace(/\r?\n$/, "");
    // Lines of a flow map that spans lines must be indented deeper than the block it sits in.
    const pad = " ".repeat(indentOf(lineAt(text, lineStartOf(text, start))) + layout.unit);
    return rendered.replace(/\n(?!\r?$)/g, `\n${pad}`);
  }
  body.comment = undefined;
  const first = body.items[0]!.key as Node;
  first.commentBefore = undefined;
  first.spaceBefore = false;
  const column = start - lineStartOf(text, start);
  const rendered = renderNode(body, layout);
  // The first line takes the place of the first key, already at its column.
  const newline = rendered.indexOf("\n");
  return rendered.slice(0, newline + 1) + indentLines(rendered.slice(newline + 1), column);
}

/**
 * The part of a flow map's `comment` that sits inside its braces: the library joins the
 * comments after the last item and those after the closing brace.
 */
function commentInside(text: string, map: YAMLMap): string | undefined {
  if (!map.comment) return undefined;
  const last = map.items[map.items.length - 1];
  const lastEnd = last ? Math.max(...[last.key, last.value].map((node) => (node as Node | null)?.range?.[2] ?? 0)) : map.range![0];
  let inside = 0;
  for (const line of text.slice(lastEnd, map.range![1]).split("\n")) if (/^[\s,]*#/.test(line)) inside++;
  if (inside === 0) return undefined;
  const lines = map.comment.split("\n");
  const kept: string[] = [];
  for (const line of lines) {
    if (inside === 0) break;
    kept.push(line);
    if (line !== "") inside--;
  }
  return kept.join("\n");
}

/**
 * Removes the items `first..last` of a flow map (some stay) with the comma that separates them
 * from a neighbour: the one after them, or before them when they are the last ones.
 */
function removeFlowItems(text: string, map: YAMLMap, first: number, last: number): Edit {
  const start = itemStart(text, map.items[first]!);
  const end = itemEnd(map.items[last]!);
  const next = map.items[last + 1];
  if (!next) return { start: itemEnd(map.items[first - 1]!), end, text: "" };
  // Up to the next item: the comma goes too (and a comment after it, with its line when the items had theirs).
  let cut = text.indexOf(",", end);
  if (cut === -1 || cut > itemStart(text, next)) throw new NotPatchable("no comma after a flow item");
  cut++;
  while (text[cut] === " " || text[cut] === "\t") cut++;
  const lineStart = lineStartOf(text, start);
  const ownLine = /^[ \t]*$/.test(text.slice(lineStart, start));
  const rest = text.slice(cut, lineEndOf(text, cut)).replace(/\r?\n$/, "");
  if (ownLine && (rest === "" || rest.startsWith("#"))) return { start: lineStart, end: lineEndOf(text, cut), text: "" };
  if (rest.startsWith("#")) return { start, end: cut + rest.length, text: "" };
  return { start, end: cut, text: "" };
}

/** Where an item starts: its key, or the `?` before an explicit key. */
function itemStart(text: string, pair: Pair): number {
  const keyStart = (pair.key as Node | null)?.range?.[0];
  if (keyStart === undefined) throw new NotPatchable("key without a source range");
  let at = keyStart;
  while (at > 0 && (text[at - 1] === " " || text[at - 1] === "\t")) at--;
  return text[at - 1] === "?" ? at - 1 : keyStart;
}

/** Where an item's value ends (its key's end when it has none). */
function itemEnd(pair: Pair): number {
  const value = pair.value as Node | null;
  const end = value?.range?.[1] ?? (pair.key as Node | null)?.range?.[1];
  if (end === undefined) throw new NotPatchable("item without a source range");
  return end;
}

function flowBody(task: Task): YAMLMap {
  const body = taskBodyNode(task);
  body.flow = true;
  return body;
}

function flowMap(tasks: readonly Task[]): YAMLMap {
  const map = new YAMLMap();
  map.flow = true;
  for (const task of tasks) map.items.push(new Pair(new Scalar(task.id), flowBody(task)) as (typeof map.items)[number]);
  return map;
}

/** Spaces per level inside a block body (the first block body's fields relative to its key), else 2. */
function bodyUnit(text: string, items: readonly Pair[], blocks: PairBlock[] | null): number {
  if (!blocks) return 2;
  for (const [index, pair] of items.entries()) {
    const body = pair.value;
    if (!isMap(body) || body.flow || body.items.length === 0) continue;
    const first = (body.items[0]!.key as Node | null)?.range?.[0];
    if (first === undefined) continue;
    const unit = first - lineStartOf(text, first) - blocks[index]!.column;
    if (unit > 0) return unit;
  }
  return 2;
}
