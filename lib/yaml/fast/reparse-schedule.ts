import { isAlias, isMap, isPair, isSeq, parseDocument, type Document, type Node, type Pair, type YAMLMap } from "yaml";
import type { Task } from "../../tasks/task-schema";
import { sha256Checksum } from "../parse/checksum";
import { DEFAULT_MAX_BYTES, keyString, markFreeOfAliases, parseSchedule, type ParseResult, type ParseScheduleOptions } from "../parse/parse-schedule";
import { hasMarkerLine } from "../parse/merge-conflict";
import { ReadonlyTaskMap } from "./readonly-task-map";
import { lineStartOf } from "../parse/text-lines";

type ParsedOk = Extract<ParseResult, { ok: true }>;

/** `text` takes the place of `[start, end)` of the old text. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

export interface ReparseOptions extends ParseScheduleOptions {
  /** The edits that turn the old text into the new one, sorted, not overlapping. Found by diffing the texts when absent. */
  edits?: readonly TextEdit[];
  /** `"sha256:<hex>"` of the new text, when the caller has it already. */
  checksum?: string;
}

/**
 * Parses a new version of a valid schedule file by parsing again only the tasks (and the
 * `metadata` block) that the edits touch, instead of the whole file: a 10,000-task file takes
 * over a second to parse, one task a fraction of a millisecond.
 *
 * The touched units (whole tasks, from the line of a task key to the line of the next one,
 * and the top-level `metadata` pair) are cut out of the new text and parsed as a small
 * schedule of their own, with the same validation as `parseSchedule`. The result equals a
 * full parse because block YAML is local: each unit starts with a key line at the column of
 * its siblings and ends where the next unchanged sibling (or top-level key) begins, so the
 * lines around it cannot change how it reads, nor it how they read. The cases where that is
 * not true are refused up front: anchors and aliases (an edit may change what an alias
 * elsewhere means), `|+`/`>+` block scalars (trailing blank lines join the value),
 * directives and document markers, flow-style or indented top-level maps, and any edit
 * outside tasks and metadata (the header comments, `version`).
 *
 * Returns null, touching nothing, whenever it cannot be sure: the caller then runs a full
 * `parseSchedule`, which is also what reports the issues of an invalid file.
 *
 * The result's `doc` is made on first access. When `prev` owns its Document (`ownDocument`,
 * which the store's cache calls on the parses it keeps), that Document is edited in place (new
 * task nodes spliced in, later ranges shifted) and moves to the result: `prev.parsed.doc` no
 * longer describes `prev.text` then, so only a cache that drops `prev` should own Documents.
 * Otherwise (or when another result took the Document first) the new text is parsed in full.
 * Node ranges, values and structure match a full parse; comments at the edges of the
 * re-parsed units may hang on different nodes (nothing here stringifies a Document: the
 * patcher's Document-API fallback parses the text afresh).
 */
export function reparseSchedule(prev: { text: string; parsed: ParsedOk }, next: string, opts: ReparseOptions = {}): ParsedOk | null {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  if (next.length > maxBytes) return null;
  const layout = layoutOf(prev.text, prev.parsed);
  if (!layout) return null;
  const edits = opts.edits ?? diffEdits(prev.text, next, layout);
  if (edits.length === 0) return null;

  let delta = 0;
  let last = 0;
  // The size limit, counted from the edits rather than over the whole new text.
  let bytes = byteLengthOf(prev.parsed, prev.text);
  for (const edit of edits) {
    if (edit.start < last || edit.end < edit.start || edit.end > prev.text.length) return null;
    if (CONTROL_CHAR.test(edit.text)) return null;
    last = edit.end;
    delta += edit.text.length - (edit.end - edit.start);
    bytes += Buffer.byteLength(edit.text, "utf8") - Buffer.byteLength(prev.text.slice(edit.start, edit.end), "utf8");
  }
  if (prev.text.length + delta !== next.length || bytes > maxBytes) return null;

  const runs = runsOf(layout, edits);
  if (!runs) return null;
  let shift = 0;
  for (const run of runs) {
    run.newStart = run.oldStart + shift;
    shift += run.delta;
    run.newEnd = run.oldEnd + shift;
    run.text = next.slice(run.newStart, run.newEnd);
    // Conflict markers: the full parse reports them as the unresolved merge they are.
    if (UNSAFE_TEXT.test(run.text) || hasMarkerLine(run.text)) return null;
  }

  // The touched units as a small schedule of their own, in file order, each task run followed by
  // what follows it in the file (the next task, or the metadata block) so its last value ends
  // exactly as it does there; those context units are parsed and then dropped.
  const metaFirst = layout.metadataRegion !== -1 && layout.metadataRegion < layout.tasksRegion;
  const metaRun = runs.find((run) => run.firstTask === null) ?? null;
  const taskRuns = runs.filter((run) => run.firstTask !== null);
  const taskCount = layout.tasks.items.length;
  type Part = { run: Run; start: number } | { context: string; tasks: boolean; start: number };
  const parts: Part[] = [];
  let synthetic = "version: 1\n";
  const append = (part: Part, text: string) => {
    if (!synthetic.endsWith("\n")) return false;
    part.start = synthetic.length;
    synthetic += text;
    parts.push(part);
    return true;
  };
  if (metaFirst && metaRun && !append({ run: metaRun, start: 0 }, metaRun.text)) return null;
  // A run that starts at the `tasks:` line brings it along.
  const tasksStart = layout.regions[layout.tasksRegion]!.start;
  const headRun = taskRuns[0]?.oldStart === tasksStart ? taskRuns[0] : null;
  if (!headRun) synthetic += synthetic.endsWith("\n") ? "tasks:\n" : "\ntasks:\n";
  let metadataInSynthetic = metaFirst && metaRun !== null;
  for (const run of taskRuns) {
    if (!append({ run, start: 0 }, run.text)) return null;
    if (run.metadata) metadataInSynthetic = true;
    if (run.lastTask! + 1 < taskCount) {
      const start = windowStart(layout, run.lastTask! + 1);
      const end = run.lastTask! + 2 < taskCount ? windowStart(layout, run.lastTask! + 2) : layout.regions[layout.tasksRegion]!.end;
      if (!append({ context: layout.text.slice(start, end), tasks: true, start: 0 }, layout.text.slice(start, end))) return null;
    } else if (!run.metadata && !metaRun && layout.metadataRegion === layout.tasksRegion + 1) {
      const { start, end } = layout.regions[layout.metadataRegion]!;
      if (!append({ context: layout.text.slice(start, end), tasks: false, start: 0 }, layout.text.slice(start, end))) return null;
      metadataInSynthetic = true;
    }
  }
  if (!metaFirst && metaRun) {
    if (!append({ run: metaRun, start: 0 }, metaRun.text)) return null;
    metadataInSynthetic = true;
  }
  for (const part of parts) if ("run" in part) part.run.synthStart = part.start;

  const parsed = parseSchedule(synthetic, opts);
  if (!parsed.ok) return null;
  const root = parsed.doc.contents;
  if (!isMap(root) || root.flow) return null;
  const rootKeys = root.items.map((pair) => keyString(pair.key));
  const expected = metaFirst
    ? ["version", ...(metadataInSynthetic ? ["metadata"] : []), "tasks"]
    : ["version", "tasks", ...(metadataInSynthetic ? ["metadata"] : [])];
  // A first server write stamps `metadata` at the end of a file that has none.
  const lastRun = taskRuns[taskRuns.length - 1];
  const addsMetadata =
    layout.metadataRegion === -1 &&
    layout.tasksRegion === layout.regions.length - 1 &&
    lastRun?.oldEnd === prev.text.length &&
    rootKeys.join("\n") === [...expected, "metadata"].join("\n");
  if (addsMetadata) lastRun!.metadata = true;
  else if (rootKeys.join("\n") !== expected.join("\n")) return null;
  for (const pair of root.items) if (!startsLine(synthetic, pair.key as Node, 0)) return null;
  if (headRun && (root.items[rootKeys.indexOf("tasks")]!.key as Node).range![0] !== headRun.synthStart) return null;
  if (hasAnchorsOrAliases(root)) return null;

  // Each run's tasks: keys at the tasks' column, the first one on the run's first line.
  const tasksValue = root.items[rootKeys.indexOf("tasks")]!.value as Node | null;
  const newPairs = isMap(tasksValue) && !tasksValue.flow ? tasksValue.items : [];
  if (taskRuns.length > 0 && newPairs.length === 0) return null;
  let cursor = 0;
  for (const part of parts) {
    if ("run" in part ? part.run.firstTask === null : !part.tasks) continue;
    const text = "run" in part ? part.run.text : part.context;
    const end = part.start + text.length;
    const first = newPairs[cursor];
    if (!first) return null;
    if ((first.key as Node).range![0] !== part.start + layout.column && !("run" in part && part.run === headRun)) return null;
    for (; cursor < newPairs.length && (newPairs[cursor]!.key as Node).range![0] < end; cursor++) {
      if (!startsLine(synthetic, newPairs[cursor]!.key as Node, layout.column)) return null;
      if ("run" in part) part.run.pairs.push(newPairs[cursor]!);
    }
  }
  if (cursor !== newPairs.length) return null;

  // A new id may not repeat one outside the re-parsed runs (a repeat inside them failed the parse).
  const oldOrder = prev.parsed.order;
  const replaced = new Set<string>();
  for (const run of taskRuns) for (let i = run.firstTask!; i <= run.lastTask!; i++) replaced.add(oldOrder[i]!);
  for (const run of taskRuns) {
    for (const pair of run.pairs) {
      const id = keyString(pair.key)!;
      if (prev.parsed.tasks.has(id) && !replaced.has(id)) return null;
    }
  }

  const { tasks, order } = mergeTasks(prev.parsed, taskRuns, parsed.tasks);

  const hasMetadata = runs.some((run) => run.metadata);
  const metaPair = hasMetadata ? root.items[rootKeys.indexOf("metadata")]! : null;
  const result = {
    ok: true as const,
    tasks,
    order,
    metadata: hasMetadata ? parsed.metadata : prev.parsed.metadata,
  } as ParsedOk;
  Object.defineProperty(result, "checksum", lazyChecksum(next, opts.checksum));
  Object.defineProperty(result, "doc", lazyDocument(result, { prevParsed: prev.parsed, prevDoc: prev.parsed.doc, layout, runs, taskRuns, metaPair, next, opts }));
  verifiedSafe.add(result);
  markFreeOfAliases(result);
  reparsed.add(result);
  byteLengths.set(result, bytes);
  return result;
}

/** A checksum hashed on first read, unless the caller sets it first (the store hashes the bytes it writes). */
function lazyChecksum(text: string, known: string | undefined): PropertyDescriptor {
  let checksum = known;
  return {
    enumerable: true,
    get: () => (checksum ??= sha256Checksum(text)),
    set: (value: string) => {
      checksum = value;
    },
  };
}

interface PendingDocument {
  prevParsed: ParsedOk;
  prevDoc: Document.Parsed;
  layout: Layout;
  runs: Run[];
  taskRuns: Run[];
  metaPair: Pair | null;
  next: string;
  opts: ParseScheduleOptions;
}

/**
 * The `doc` property of a re-parse result, made on first access. What it needs is dropped then,
 * so a chain of results does not keep every earlier version (its text and tasks) alive.
 */
function lazyDocument(result: ParsedOk, pending: PendingDocument | null): PropertyDescriptor {
  let doc: Document.Parsed | null = null;
  return {
    enumerable: true,
    configurable: true,
    get: () => {
      if (doc) return doc;
      const p = pending!;
      pending = null;
      if (owners.get(p.prevDoc) === p.prevParsed) {
        doc = spliceDocument(p.prevDoc, p.layout, p.runs, p.taskRuns, p.metaPair);
        owners.set(doc, result);
      } else {
        // Not ours to edit: the caller keeps using it, or another result took it first.
        const full = parseSchedule(p.next, p.opts);
        doc = full.ok ? full.doc : (parseDocument(p.next, { uniqueKeys: false, stringKeys: true }) as Document.Parsed);
      }
      return doc;
    },
  };
}

/**
 * The new tasks in file order: the old ones outside the runs, the re-parsed ones in their place.
 * When the runs keep their old tasks in order (changed or dropped) and add new ones only after
 * the last task of the file (what every API write does), that is a copy of the old Map with a
 * few entries set or deleted; otherwise the Map is rebuilt in order.
 */
function mergeTasks(prev: ParsedOk, taskRuns: readonly Run[], parsedTasks: Map<string, Task>): { tasks: Map<string, Task>; order: string[] } {
  const oldOrder = prev.order;
  const newIdsOf = taskRuns.map((run) => run.pairs.map((pair) => keyString(pair.key)!));
  let sameIds = true;
  const inPlace = taskRuns.every((run, r) => {
    const newIds = newIdsOf[r]!;
    let k = 0;
    for (let i = run.firstTask!; i <= run.lastTask!; i++) {
      if (newIds[k] === oldOrder[i]) k++;
      else if (newIds.includes(oldOrder[i]!)) return false; // moved
      else sameIds = false;
    }
    if (k < newIds.length) sameIds = false;
    return k === newIds.length || (run.lastTask === oldOrder.length - 1 && newIds.slice(k).every((id) => !prev.tasks.has(id)));
  });
  if (inPlace) {
    // Read-only from the start: the store hands this very Map to its readers.
    const tasks = ReadonlyTaskMap.copyOf(prev.tasks, (draft) => {
      taskRuns.forEach((run, r) => {
        const kept = new Set(newIdsOf[r]);
        for (let i = run.firstTask!; i <= run.lastTask!; i++) if (!kept.has(oldOrder[i]!)) draft.delete(oldOrder[i]!);
        for (const id of newIdsOf[r]!) draft.set(id, parsedTasks.get(id)!);
      });
    });
    // Parse results are never changed once made, so an unchanged order can be shared.
    return { tasks, order: sameIds ? oldOrder : [...tasks.keys()] };
  }
  const tasks = new Map<string, Task>();
  let i = 0;
  taskRuns.forEach((run, r) => {
    for (; i < run.firstTask!; i++) tasks.set(oldOrder[i]!, prev.tasks.get(oldOrder[i]!)!);
    for (const id of newIdsOf[r]!) tasks.set(id, parsedTasks.get(id)!);
    i = run.lastTask! + 1;
  });
  for (; i < oldOrder.length; i++) tasks.set(oldOrder[i]!, prev.tasks.get(oldOrder[i]!)!);
  return { tasks, order: [...tasks.keys()] };
}

const byteLengths = new WeakMap<ParsedOk, number>();

function byteLengthOf(parsed: ParsedOk, text: string): number {
  let length = byteLengths.get(parsed);
  if (length === undefined) byteLengths.set(parsed, (length = Buffer.byteLength(text, "utf8")));
  return length;
}

/**
 * Whether every task key of `parsed` is the first thing on its line (the in-place patcher's
 * condition): true for a re-parse, which checks that of every key it parses and keeps the rest.
 */
export function keysStartLines(parsed: ParsedOk): boolean {
  return reparsed.has(parsed);
}

/** Which parse result may edit each Document in place (see `ownDocument`). */
const owners = new WeakMap<Document, ParsedOk>();

/**
 * Lets `reparseSchedule` edit `parsed.doc` in place when it re-parses a newer version, instead
 * of parsing that version in full when its Document is first used. For a cache that keeps
 * only the latest parse and never hands its Documents out.
 */
export function ownDocument(parsed: ParsedOk): void {
  // A re-parse result takes its Document over when it is first used.
  if (!reparsed.has(parsed)) owners.set(parsed.doc, parsed);
}

const reparsed = new WeakSet<ParsedOk>();

const CONTROL_CHAR = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]/;
/** Directives, document markers and keep-chomping block scalars: text whose meaning leaks across units. */
const UNSAFE_TEXT = /^(?:%|---|\.\.\.)|[|>](?:[1-9]?\+|\+[1-9]?)[ \t]*(?:#.*)?\r?$/m;

/**
 * Parse results whose whole text and Document were checked: no anchors, aliases or UNSAFE_TEXT,
 * and every task key first on its line at the tasks' column. A re-parse checks what it parses.
 */
const verifiedSafe = new WeakSet<ParsedOk>();
const unsafe = new WeakSet<ParsedOk>();

interface Layout {
  text: string;
  root: YAMLMap;
  /** Top-level pairs in file order, each from the line of its key to the line of the next key (or the end). */
  regions: { key: string | null; start: number; end: number }[];
  tasksRegion: number;
  metadataRegion: number;
  tasks: YAMLMap;
  column: number;
}

function layoutOf(text: string, parsed: ParsedOk): Layout | null {
  if (unsafe.has(parsed)) return null;
  const root = parsed.doc.contents;
  if (!isMap(root) || root.flow) return null;
  const regions: Layout["regions"] = [];
  for (const pair of root.items) {
    if (!startsLine(text, pair.key as Node, 0)) return null;
    regions.push({ key: keyString(pair.key), start: (pair.key as Node).range![0], end: text.length });
  }
  for (let i = 0; i + 1 < regions.length; i++) regions[i]!.end = regions[i + 1]!.start;
  const tasksRegion = regions.findIndex((region) => region.key === "tasks");
  const metadataRegion = regions.findIndex((region) => region.key === "metadata");
  const tasks = tasksRegion === -1 ? null : (root.items[tasksRegion]!.value as Node | null);
  if (!isMap(tasks) || tasks.flow || tasks.items.length === 0 || tasks.items.length !== parsed.order.length) return null;
  const firstKey = (tasks.items[0]!.key as Node).range![0];
  const column = firstKey - lineStartOf(text, firstKey);
  if (column < 1 || !startsLine(text, tasks.items[0]!.key as Node, column)) return null;
  if (!verifiedSafe.has(parsed)) {
    if (UNSAFE_TEXT.test(text) || hasAnchorsOrAliases(root) || !tasks.items.every((pair) => startsLine(text, pair.key as Node, column))) {
      unsafe.add(parsed);
      return null;
    }
    verifiedSafe.add(parsed);
  }
  return { text, root, regions, tasksRegion, metadataRegion, tasks, column };
}

interface Run {
  /** Indexes of the old tasks the run covers; null for a run of `metadata` only. */
  firstTask: number | null;
  lastTask: number | null;
  metadata: boolean;
  oldStart: number;
  oldEnd: number;
  delta: number;
  newStart: number;
  newEnd: number;
  text: string;
  synthStart: number;
  pairs: Pair[];
}

type Unit = { kind: "task"; index: number; start: number; end: number } | { kind: "metadata"; start: number; end: number } | { kind: "other" };

/** Groups the edits into runs of whole units; null when an edit touches anything but tasks and metadata. */
function runsOf(layout: Layout, edits: readonly TextEdit[]): Run[] | null {
  const runs: Run[] = [];
  const lastChar = layout.text.length - 1;
  for (const edit of edits) {
    // The unit holding the character before the edit: a run starts on an unchanged key line.
    const from = edit.start === 0 ? ({ kind: "other" } as const) : unitAt(layout, edit.start - 1);
    // The unit holding the character after it: a run ends before an unchanged key line (or at the end).
    const to = unitAt(layout, Math.min(edit.end, lastChar));
    if (from.kind === "other" || to.kind === "other") return null;
    let run: Run;
    const blank = { delta: edit.text.length - (edit.end - edit.start), newStart: 0, newEnd: 0, text: "", synthStart: 0, pairs: [] };
    if (from.kind === "task" && to.kind === "task") {
      run = { firstTask: from.index, lastTask: to.index, metadata: false, oldStart: from.start, oldEnd: to.end, ...blank };
    } else if (from.kind === "task" && to.kind === "metadata") {
      if (layout.metadataRegion !== layout.tasksRegion + 1) return null;
      run = { firstTask: from.index, lastTask: layout.tasks.items.length - 1, metadata: true, oldStart: from.start, oldEnd: to.end, ...blank };
    } else if (from.kind === "metadata" && to.kind === "metadata") {
      run = { firstTask: null, lastTask: null, metadata: true, oldStart: from.start, oldEnd: to.end, ...blank };
    } else {
      return null;
    }
    const previous = runs[runs.length - 1];
    if (previous && run.oldStart <= previous.oldEnd) {
      if (previous.firstTask === null && run.firstTask !== null) return null;
      previous.lastTask = run.lastTask === null ? previous.lastTask : Math.max(previous.lastTask ?? 0, run.lastTask);
      previous.firstTask ??= run.firstTask;
      previous.metadata ||= run.metadata;
      previous.oldEnd = Math.max(previous.oldEnd, run.oldEnd);
      previous.delta += run.delta;
    } else {
      runs.push(run);
    }
  }
  return runs;
}

function unitAt(layout: Layout, pos: number): Unit {
  const region = layout.regions.findIndex((r) => r.start <= pos && pos < r.end);
  if (region === -1) return { kind: "other" };
  const { start, end } = layout.regions[region]!;
  if (region === layout.metadataRegion) return { kind: "metadata", start, end };
  if (region !== layout.tasksRegion) return { kind: "other" };
  const items = layout.tasks.items;
  const windowStartOf = (i: number) => windowStart(layout, i);
  // The `tasks:` line and the comments before the first task go with the first task.
  if (pos < windowStartOf(0)) return { kind: "task", index: 0, start, end: items.length > 1 ? windowStartOf(1) : end };
  let lo = 0;
  let hi = items.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (windowStartOf(mid) <= pos) lo = mid;
    else hi = mid - 1;
  }
  if (!startsLine(layout.text, items[lo]!.key as Node, layout.column)) return { kind: "other" };
  const after = lo + 1 < items.length ? windowStartOf(lo + 1) : end;
  if (lo + 1 < items.length && !startsLine(layout.text, items[lo + 1]!.key as Node, layout.column)) return { kind: "other" };
  return { kind: "task", index: lo, start: windowStartOf(lo), end: after };
}

/** Start of the line of the i-th task's key: where its unit begins. */
function windowStart(layout: Layout, i: number): number {
  return lineStartOf(layout.text, (layout.tasks.items[i]!.key as Node).range![0]);
}

/** Whether the node's source starts its line at `column`, with only spaces before it. */
function startsLine(text: string, node: Node | null | undefined, column: number): boolean {
  const start = node?.range?.[0];
  if (start === undefined) return false;
  const lineStart = lineStartOf(text, start);
  if (start - lineStart !== column) return false;
  for (let i = lineStart; i < start; i++) if (text.charCodeAt(i) !== 32) return false;
  return true;
}

function hasAnchorsOrAliases(node: unknown): boolean {
  if (isAlias(node)) return true;
  if (!node || typeof node !== "object") return false;
  if ((node as { anchor?: string }).anchor) return true;
  if (isMap(node) || isSeq(node)) {
    for (const item of node.items) {
      if (isPair(item) ? hasAnchorsOrAliases(item.key) || hasAnchorsOrAliases(item.value) : hasAnchorsOrAliases(item)) return true;
    }
  }
  return false;
}

/** Moves a node and everything under it by `delta` characters. */
function shiftBy(node: unknown, delta: number): void {
  if (delta === 0 || !node || typeof node !== "object") return;
  const range = (node as Node).range;
  if (range) {
    range[0] += delta;
    range[1] += delta;
    range[2] += delta;
  }
  const items = (node as { items?: unknown }).items;
  if (!Array.isArray(items)) return;
  for (const item of items) {
    if (isPair(item)) {
      shiftBy(item.key, delta);
      shiftBy(item.value, delta);
    } else {
      shiftBy(item, delta);
    }
  }
}

/** Turns the old Document into the new one: the re-parsed pairs in place of the old ones, later ranges shifted. */
function spliceDocument(doc: Document.Parsed, layout: Layout, runs: Run[], taskRuns: Run[], metaPair: Pair | null): Document.Parsed {
  // Old positions outside every run move by the runs before them; a re-parsed pair from its place in the small parse.
  const shiftOld = (x: number) => {
    let moved = x;
    for (const run of runs) {
      if (x < run.oldEnd) break;
      moved = x + (run.newEnd - run.oldEnd);
    }
    return moved;
  };
  const moveOld = (node: unknown) => {
    const start = (node as Node).range![0];
    shiftBy(node, shiftOld(start) - start);
  };
  const moveNew = (pair: Pair, run: Run) => {
    shiftBy(pair.key, run.newStart - run.synthStart);
    shiftBy(pair.value, run.newStart - run.synthStart);
  };

  const items = layout.tasks.items;
  const oldCount = items.length;
  const oldTasksEnd = layout.tasks.range ? [...layout.tasks.range] : null;
  const oldRootEnd = layout.root.range ? [...layout.root.range] : null;
  // Only pairs after a changed run move: tasks after the first task run, or all of them when a
  // metadata block before the tasks changed length.
  const metaFirst = layout.metadataRegion !== -1 && layout.metadataRegion < layout.tasksRegion;
  let r = 0;
  for (let i = metaFirst || taskRuns.length === 0 ? 0 : taskRuns[0]!.firstTask!; i < oldCount; i++) {
    while (r < taskRuns.length && i > taskRuns[r]!.lastTask!) r++;
    const run = taskRuns[r];
    if (run && i >= run.firstTask!) continue;
    const pair = items[i]!;
    const start = (pair.key as Node).range![0];
    const delta = shiftOld(start) - start;
    shiftBy(pair.key, delta);
    shiftBy(pair.value, delta);
  }
  for (let t = taskRuns.length - 1; t >= 0; t--) {
    const run = taskRuns[t]!;
    for (const pair of run.pairs) moveNew(pair, run);
    items.splice(run.firstTask!, run.lastTask! - run.firstTask! + 1, ...run.pairs);
  }

  const root = layout.root;
  const metaRun = runs.find((candidate) => candidate.metadata);
  root.items.forEach((pair, index) => {
    if (index === layout.tasksRegion) return moveOld(pair.key);
    if (index === layout.metadataRegion && metaPair) {
      moveNew(metaPair, metaRun!);
      root.items[index] = metaPair as (typeof root.items)[number];
      return;
    }
    moveOld(pair.key);
    const value = pair.value as Node | null;
    if (value?.range) moveOld(value);
  });
  if (metaPair && layout.metadataRegion === -1) {
    moveNew(metaPair, metaRun!);
    root.items.push(metaPair as (typeof root.items)[number]);
  }
  // Collections: from their first key to the node end of their last value (plus trailing comments).
  const fitCollection = (map: YAMLMap, old: number[] | null) => {
    const first = (map.items[0]?.key as Node | undefined)?.range?.[0];
    const lastValue = map.items[map.items.length - 1]?.value as Node | null | undefined;
    const end = lastValue?.range?.[2];
    if (first === undefined || end === undefined || !map.range) return;
    const trailing = old && old[2]! > old[1]! ? shiftOld(old[2]!) : end;
    map.range = [first, end, Math.max(end, trailing)];
  };
  fitCollection(layout.tasks, oldTasksEnd);
  fitCollection(root, oldRootEnd);
  if (doc.range && root.range) doc.range = [doc.range[0], root.range[2], Math.max(root.range[2], shiftOld(doc.range[2]))];
  return doc;
}

/**
 * The edits that turn `a` into `b`: per top-level block (`version`, `tasks`, `metadata`), the
 * changed middle after the common prefix and suffix. A changed task plus the new `metadata`
 * stamp every server write makes are then two small edits, not one that spans every task
 * in between.
 */
export function diffEdits(a: string, b: string, layout?: { regions: readonly { key: string | null; start: number }[] }): TextEdit[] {
  if (a === b) return [];
  const splits: [number, number][] = [[0, 0]];
  for (const region of layout?.regions.slice(1) ?? []) {
    if (region.key === null) break;
    const [, fromB] = splits[splits.length - 1]!;
    const found = b.indexOf(`\n${region.key}:`, Math.max(0, fromB - 1));
    if (found === -1 || found + 1 <= fromB) break;
    splits.push([region.start, found + 1]);
  }
  splits.push([a.length, b.length]);
  const edits: TextEdit[] = [];
  for (let i = 0; i + 1 < splits.length; i++) edits.push(...diffSegment(a, splits[i]![0], splits[i + 1]![0], b, splits[i]![1], splits[i + 1]![1]));
  return edits;
}

function diffSegment(a: string, aStart: number, aEnd: number, b: string, bStart: number, bEnd: number): TextEdit[] {
  const max = Math.min(aEnd - aStart, bEnd - bStart);
  let prefix = commonLength(a, aStart, b, bStart, max, 1);
  // Start the edit on a line start: units are whole lines, and a change that begins with the
  // indentation of the next line belongs to the line before it.
  if (prefix < max || prefix < aEnd - aStart || prefix < bEnd - bStart) prefix = Math.max(0, lineStartOf(a, aStart + prefix) - aStart);
  const suffix = commonLength(a, aEnd - 1, b, bEnd - 1, max - prefix, -1);
  if (prefix === aEnd - aStart && prefix === bEnd - bStart) return [];
  return [{ start: aStart + prefix, end: aEnd - suffix, text: b.slice(bStart + prefix, bEnd - suffix) }];
}

/** How many characters match walking from the given positions in direction `step` (at most `max`). */
function commonLength(a: string, aFrom: number, b: string, bFrom: number, max: number, step: 1 | -1): number {
  const CHUNK = 4096;
  let n = 0;
  // Whole chunks first: comparing two slices is a memcmp, far faster than a loop over characters.
  while (n + CHUNK <= max) {
    const aSlice = step === 1 ? a.slice(aFrom + n, aFrom + n + CHUNK) : a.slice(aFrom - n - CHUNK + 1, aFrom - n + 1);
    const bSlice = step === 1 ? b.slice(bFrom + n, bFrom + n + CHUNK) : b.slice(bFrom - n - CHUNK + 1, bFrom - n + 1);
    if (aSlice !== bSlice) break;
    n += CHUNK;
  }
  while (n < max && a.charCodeAt(aFrom + step * n) === b.charCodeAt(bFrom + step * n)) n++;
  return n;
}
