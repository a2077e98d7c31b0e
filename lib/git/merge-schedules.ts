import type { ConflictKind, TaskDecision } from "../sync/reconcile/plan";
import { reconcile } from "../sync/reconcile/reconcile";
import { tasksEqual, type Task, type TaskField } from "../tasks/task-schema";
import { parseSchedule, type ParseResult } from "../yaml/parse/parse-schedule";
import type { YamlIssue } from "../yaml/parse/yaml-issue";
import { applySchedulePatch } from "../yaml/write/apply-schedule-patch";
import { renderTask, type RenderLayout } from "../yaml/write/yaml-render";
import { cutSchedule, type ScheduleLayout, type TaskBlock } from "./schedule-layout";

type ParsedOk = Extract<ParseResult, { ok: true }>;

export interface MergeLabels {
  ours: string;
  base: string;
  theirs: string;
}

export interface MergeSchedulesOptions {
  /** Written after the markers, as git does (`<<<<<<< ours`, `||||||| base`, `>>>>>>> theirs`). */
  labels?: Partial<MergeLabels>;
  /** Length of the markers (git's `conflict-marker-size`, `%L`). Default 7. */
  markerSize?: number;
  /** Also show the base version between `|||||||` and `=======` (git's `merge.conflictStyle=diff3`). */
  diff3?: boolean;
  /** Merge disjoint field edits of one task (SYNC_AUTO_MERGE). Default true. */
  autoMerge?: boolean;
}

/** What a person has to decide: one task changed differently on both sides, or the text around the tasks. */
export type MergeConflict =
  | {
      part: "task";
      id: string;
      kind: ConflictKind;
      /** Fields where ours and theirs differ (all of them when one side deleted the task). */
      fields: TaskField[];
      base: Task | null;
      ours: Task | null;
      theirs: Task | null;
      /** 1-based lines of the `<<<<<<<` and `>>>>>>>` markers in `text`. */
      lines: [number, number];
    }
  | { part: "head" | "tail"; lines: [number, number] };

/** How each task of the result was made. */
export type TaskPick = "same" | "ours" | "theirs" | "merged" | "conflict" | "deleted";

export type MergeOutcome =
  | {
      ok: true;
      /** The merged file; with conflicts, git-style markers around each conflicting task (or head/tail) only. */
      text: string;
      conflicts: MergeConflict[];
      /** The merged file with every conflict resolved as ours: valid, for a caller that records conflicts elsewhere. */
      resolved: string;
      /** The tasks of `resolved`. */
      tasks: ReadonlyMap<string, Task>;
      picks: ReadonlyMap<string, TaskPick>;
      /** `blocks`: task blocks taken verbatim from either side; `values`: rendered from values (a file that could not be cut). */
      via: "blocks" | "values";
    }
  | { ok: false; side: "base" | "ours" | "theirs"; issues: YamlIssue[] };

const EMPTY: ReadonlyMap<string, Task> = new Map();

/**
 * Merges two versions of a schedule file per task, with the sync's own three-way reconcile:
 * base = the common ancestor (`%O`), ours (`%A`, the YAML side) and theirs (`%B`, the DB side).
 * A task changed on one side only takes that side's block verbatim (comments and formatting
 * included); disjoint field edits of one task are merged into ours's block by the in-place
 * patcher; a field changed differently on both sides gets git-style markers around that task's
 * block only. Untouched tasks keep their text byte for byte. Tasks appended by ours come first,
 * then theirs's. The text before the tasks and after them merges by equality (markers on a
 * clash); the server's old `metadata:` stamp at the end is dropped when the sides differ in it.
 * Files that cannot be cut into blocks are merged by value (the patcher on ours's text).
 * Pure: no file system, no git.
 *
 * Returns `ok: false` when ours or theirs is not a valid schedule file (a base that does not
 * read counts as empty).
 *
 * @example
 * const merged = mergeSchedules(base, ours, theirs, { labels: { ours: "HEAD", theirs: "feature" } });
 * if (merged.ok && merged.conflicts.length === 0) await writeFile(path, merged.text);
 */
export function mergeSchedules(base: string | null, ours: string, theirs: string, opts: MergeSchedulesOptions = {}): MergeOutcome {
  const parsedOurs = parseSchedule(ours);
  if (!parsedOurs.ok) return { ok: false, side: "ours", issues: parsedOurs.issues };
  const parsedTheirs = parseSchedule(theirs);
  if (!parsedTheirs.ok) return { ok: false, side: "theirs", issues: parsedTheirs.issues };
  const parsedBase = base ? parseSchedule(base) : null;
  const baseOk = parsedBase?.ok ? parsedBase : null;

  const plan = reconcile({ base: baseOk?.tasks ?? EMPTY, yaml: parsedOurs.tasks, db: parsedTheirs.tasks }, { autoMerge: opts.autoMerge ?? true });
  const sides: Sides = {
    ours: { text: ours, parsed: parsedOurs, layout: cutSchedule(ours, parsedOurs) },
    theirs: { text: theirs, parsed: parsedTheirs, layout: cutSchedule(theirs, parsedTheirs) },
    base: baseOk ? { text: base!, parsed: baseOk, layout: cutSchedule(base!, baseOk) } : null,
  };
  const markers = markerSet(opts);
  // Block by block when both sides can be cut (theirs's blocks are what it contributes); by value otherwise.
  const byBlocks = sides.ours.layout && sides.theirs.layout ? mergeBlocks(sides, sides.ours.layout, plan.decisions, markers) : null;
  return byBlocks ?? mergeValues(sides, plan.decisions, markers);
}

interface Side {
  text: string;
  parsed: ParsedOk;
  layout: ScheduleLayout | null;
}
interface Sides {
  ours: Side;
  theirs: Side;
  base: Side | null;
}

interface Markers {
  size: number;
  labels: MergeLabels;
  diff3: boolean;
}

function markerSet(opts: MergeSchedulesOptions): Markers {
  return {
    size: Math.max(1, Math.min(opts.markerSize ?? 7, 100)),
    labels: { ours: "ours", base: "base", theirs: "theirs", ...opts.labels },
    diff3: opts.diff3 === true,
  };
}

/** What one task of the result is: a decided value (null: absent) or a conflict. */
function decided(decision: TaskDecision): { value: Task | null } | null {
  switch (decision.action) {
    case "in_sync":
    case "write_yaml":
    case "write_db":
      return { value: decision.task };
    case "merge":
      return { value: decision.task };
    case "conflict":
      return null;
  }
}

function mergeBlocks(sides: Sides, layout: ScheduleLayout, decisions: TaskDecision[], markers: Markers): MergeOutcome | null {
  const eol = layout.eol;
  const render: RenderLayout = { unit: layout.step, indentSeq: true, eol };
  const blocksOf = (side: Side | null) => new Map((side?.layout?.blocks ?? []).map((block) => [block.id, block]));
  const oursBlocks = blocksOf(sides.ours);
  const theirsBlocks = blocksOf(sides.theirs);
  const baseBlocks = blocksOf(sides.base);
  const sameShape = (other: ScheduleLayout | null | undefined) => !!other && other.column === layout.column && other.step === layout.step;
  const theirsShaped = sameShape(sides.theirs.layout);
  const baseShaped = sameShape(sides.base?.layout);
  const plainSep = layout.blocks.find((block, i) => i > 0 && /^(?:[ \t]*\r?\n)*$/.test(block.sep))?.sep ?? "";
  const toEol = (text: string) => (eol === "\r\n" ? text.replace(/\r?\n/g, "\r\n") : text.replace(/\r\n/g, "\n"));
  const baseKnown = sides.base === null || sides.base.layout !== null;
  const baseTasks = sides.base?.parsed.tasks ?? EMPTY;
  // Two versions of a task are the same text when both files are laid out alike, else the same value.
  const same = (x: TaskBlock | undefined, xShaped: boolean, xTask: Task | undefined, y: TaskBlock | undefined, yShaped: boolean, yTask: Task | undefined) =>
    xShaped && yShaped ? (x?.body.replace(/\r\n/g, "\n") ?? null) === (y?.body.replace(/\r\n/g, "\n") ?? null) : sameValue(xTask, yTask);
  const baseOursShaped = baseShaped;
  const baseTheirsShaped = !!sides.base?.layout && !!sides.theirs.layout && sides.base.layout.column === sides.theirs.layout.column && sides.base.layout.step === sides.theirs.layout.step;

  // A block of the result in ours's layout: theirs's (or base's) verbatim when cut alike, else rendered.
  const foreign = (block: TaskBlock | undefined, shaped: boolean, value: Task | null): { sep: string; body: string } | null => {
    if (!value) return null;
    if (block && shaped) return { sep: toEol(block.sep), body: toEol(block.body) };
    return { sep: toEol(plainSep), body: renderTask(value, layout.column, render) };
  };

  interface Piece {
    id: string;
    pick: TaskPick;
    resolved: { sep: string; body: string } | null;
    conflict?: Extract<TaskDecision, { action: "conflict" }>;
  }
  const pieces = new Map<string, Piece>();
  for (const decision of decisions) {
    const id = decision.id;
    const a = oursBlocks.get(id);
    const b = theirsBlocks.get(id);
    const o = baseBlocks.get(id);
    const oursPiece = a ? { sep: a.sep, body: a.body } : null;
    if (decision.action === "conflict") {
      pieces.set(id, { id, pick: "conflict", resolved: oursPiece, conflict: decision });
      continue;
    }
    const value = decided(decision)!.value;
    const [ta, tb, to] = [sides.ours.parsed.tasks.get(id), sides.theirs.parsed.tasks.get(id), baseTasks.get(id)];
    const theirsPiece = () => foreign(b, theirsShaped, tb ?? null);
    let piece: Piece;
    if (same(a, true, ta, b, theirsShaped, tb)) piece = { id, pick: a ? "same" : "deleted", resolved: oursPiece && { sep: mergeSep(o, a, b, toEol), body: a!.body } };
    else if (baseKnown && same(a, baseOursShaped, ta, o, baseOursShaped, to)) piece = { id, pick: b ? "theirs" : "deleted", resolved: theirsPiece() };
    else if (baseKnown && same(b, baseTheirsShaped, tb, o, baseTheirsShaped, to)) piece = { id, pick: a ? "ours" : "deleted", resolved: oursPiece };
    else if (!value) piece = { id, pick: "deleted", resolved: null };
    // Both texts changed: ours's block patched to the decided value, so a comment edit on either side
    // survives where it can (ours's; theirs's block only when ours's is gone).
    else if (a) piece = { id, pick: decision.action === "merge" ? "merged" : decision.action === "write_yaml" ? "theirs" : "ours", resolved: mergedBlock(a, value, eol) };
    else piece = { id, pick: "theirs", resolved: theirsPiece() };
    if (value && !piece.resolved) piece.resolved = { sep: toEol(plainSep), body: renderTask(value, layout.column, render) };
    pieces.set(id, piece);
  }

  const order = resultOrder(sides, pieces, (id) => {
    const piece = pieces.get(id);
    return !!piece && (piece.resolved !== null || piece.pick === "conflict");
  });
  // No task left: the patcher writes `tasks: {}`.
  if (order.length === 0) return null;

  const labelLine = (char: string, label: string) => `${char.repeat(markers.size)}${label ? ` ${label}` : ""}${eol}`;
  const region = (oursText: string, baseText: string, theirsText: string) =>
    labelLine("<", markers.labels.ours) +
    oursText +
    (markers.diff3 ? labelLine("|", markers.labels.base) + baseText : "") +
    labelLine("=", "") +
    theirsText +
    labelLine(">", markers.labels.theirs);

  let resolved = "";
  let marked = "";
  let line = 1;
  const conflicts: MergeConflict[] = [];
  const emit = (both: string) => {
    resolved += both;
    marked += both;
    line += countLines(both);
  };
  const emitConflict = (resolvedText: string, regionText: string, make: (lines: [number, number]) => MergeConflict) => {
    resolved += resolvedText;
    const start = line;
    marked += regionText;
    line += countLines(regionText);
    conflicts.push(make([start, line - 1]));
  };

  // Head and tail: by equality (the tail without the server's `metadata:` stamp when the sides differ in it).
  const head = mergePart(sides.base?.layout?.head ?? null, layout.head, sides.theirs.layout?.head ?? layout.head, baseKnown, toEol);
  if (head.clash) emitConflict(layout.head, region(layout.head, toEol(head.base ?? ""), head.theirs), (lines) => ({ part: "head", lines }));
  else emit(head.text);

  for (const id of order) {
    const piece = pieces.get(id)!;
    if (piece.pick !== "conflict") {
      emit(piece.resolved!.sep + piece.resolved!.body);
      continue;
    }
    const decision = piece.conflict!;
    const theirsPiece = foreign(theirsBlocks.get(id), theirsShaped, decision.db);
    const basePiece = foreign(baseBlocks.get(id), baseShaped, decision.base);
    const sep = piece.resolved?.sep ?? theirsPiece?.sep ?? "";
    const oursBody = piece.resolved?.body ?? "";
    emit(sep);
    emitConflict(oursBody, region(oursBody, basePiece?.body ?? "", theirsPiece?.body ?? ""), (lines) => ({
      part: "task",
      id,
      kind: decision.kind,
      fields: decision.fields,
      base: decision.base,
      ours: decision.yaml,
      theirs: decision.db,
      lines,
    }));
  }

  const tail = mergeTail(sides, layout, baseKnown, toEol);
  if (tail.clash) emitConflict(layout.tail, region(layout.tail, toEol(tail.base ?? ""), tail.theirs), (lines) => ({ part: "tail", lines }));
  else emit(tail.text);

  if (!layout.finalNewline) {
    resolved = stripFinalEol(resolved, eol);
    marked = stripFinalEol(marked, eol);
  }

  // The result must read back as the decided tasks (conflicts as ours); if not, merge by value.
  const check = parseSchedule(resolved);
  const intended = intendedTasks(sides, decisions);
  if (!check.ok || !sameTasks(check.tasks, intended)) return null;
  const picks = new Map([...pieces.values()].filter((p) => p.pick !== "deleted").map((p) => [p.id, p.pick]));
  return { ok: true, text: marked, conflicts, resolved, tasks: check.tasks, picks, via: "blocks" };
}

function sameValue(a: Task | undefined, b: Task | undefined): boolean {
  return a === undefined || b === undefined ? a === b : tasksEqual(a, b);
}

/** The blank lines before a task whose text both sides agree on: three-way too (theirs may have removed the task before it). */
function mergeSep(base: TaskBlock | undefined, ours: TaskBlock | undefined, theirs: TaskBlock | undefined, toEol: (text: string) => string): string {
  const a = ours?.sep ?? "";
  if (!theirs || !base) return a;
  const b = toEol(theirs.sep);
  return a === b || a !== toEol(base.sep) ? a : b;
}

/** Ours's block with the fields where `value` differs patched in (its comments kept); null when that cannot be done. */
function mergedBlock(ours: TaskBlock, merged: Task, eol: string): { sep: string; body: string } | null {
  const prefix = `version: 1${eol}tasks:${eol}`;
  const mini = prefix + ours.body;
  const parsed = parseSchedule(mini);
  if (!parsed.ok) return null;
  try {
    const patched = applySchedulePatch({ text: mini, parsed }, { upsert: [merged] });
    if (!patched.text.startsWith(prefix)) return null;
    let body = patched.text.slice(prefix.length);
    if (!body.endsWith("\n")) body += eol;
    return { sep: ours.sep, body };
  } catch {
    return null;
  }
}

/**
 * The order of the result: ours's tasks in ours's order; every other task (created by theirs,
 * or deleted by ours and changed by theirs) after the task it follows in theirs, past the tasks
 * ours added there, so ours's appended tasks come first and theirs's after them.
 */
function resultOrder(sides: Sides, pieces: ReadonlyMap<string, { id: string }>, present: (id: string) => boolean): string[] {
  const order = sides.ours.parsed.order.filter(present);
  const placed = new Set(order);
  const oursOnly = (id: string) => !sides.theirs.parsed.tasks.has(id) && !(sides.base?.parsed.tasks.has(id) ?? false);
  let anchor: string | null = null;
  for (const id of sides.theirs.parsed.order) {
    if (placed.has(id)) {
      anchor = id;
      continue;
    }
    if (!present(id)) continue;
    let at = anchor === null ? 0 : order.indexOf(anchor) + 1;
    while (at < order.length && oursOnly(order[at]!)) at++;
    order.splice(at, 0, id);
    placed.add(id);
    anchor = id;
  }
  // Tasks in neither ordered side (none in practice: every piece comes from base, ours or theirs).
  for (const id of pieces.keys()) if (!placed.has(id) && present(id)) order.push(id);
  return order;
}

interface PartMerge {
  clash: boolean;
  text: string;
  base: string | null;
  theirs: string;
}

function mergePart(base: string | null, ours: string, theirsRaw: string, baseKnown: boolean, toEol: (text: string) => string): PartMerge {
  const theirs = toEol(theirsRaw);
  const baseText = base === null ? null : toEol(base);
  const clean = (text: string): PartMerge => ({ clash: false, text, base: baseText, theirs });
  if (ours === theirs) return clean(ours);
  if (baseKnown && baseText !== null && ours === baseText) return clean(theirs);
  if (baseKnown && baseText !== null && theirs === baseText) return clean(ours);
  return { clash: true, text: ours, base: baseText, theirs };
}

function mergeTail(sides: Sides, layout: ScheduleLayout, baseKnown: boolean, toEol: (text: string) => string): PartMerge {
  const tailOf = (side: Side | null, strip: boolean) => {
    const cut = side?.layout;
    if (!cut) return side === sides.theirs ? "" : null;
    if (!strip || !cut.tailMetadata) return cut.tail;
    return cut.tail.slice(0, cut.tailMetadata.start) + cut.tail.slice(cut.tailMetadata.end);
  };
  const full = mergePart(tailOf(sides.base, false), layout.tail, tailOf(sides.theirs, false) ?? "", baseKnown, toEol);
  if (!full.clash) return full;
  return mergePart(tailOf(sides.base, true), tailOf(sides.ours, true)!, tailOf(sides.theirs, true) ?? "", baseKnown, toEol);
}

/** The tasks the merge decided, each conflict as ours has it. */
function intendedTasks(sides: Sides, decisions: TaskDecision[]): Map<string, Task> {
  const tasks = new Map<string, Task>();
  for (const decision of decisions) {
    const value = decision.action === "conflict" ? decision.yaml : decided(decision)!.value;
    if (value) tasks.set(decision.id, value);
  }
  void sides;
  return tasks;
}

function sameTasks(a: ReadonlyMap<string, Task>, b: ReadonlyMap<string, Task>): boolean {
  if (a.size !== b.size) return false;
  for (const [id, task] of a) {
    const other = b.get(id);
    if (!other || !tasksEqual(task, other)) return false;
  }
  return true;
}

/**
 * The fallback: ours's text patched by value to the decided tasks (the patcher keeps ours's
 * comments; tasks from theirs are rendered), then markers around each conflicting task.
 */
function mergeValues(sides: Sides, decisions: TaskDecision[], markers: Markers): MergeOutcome {
  const intended = intendedTasks(sides, decisions);
  const before = sides.ours.parsed.tasks;
  const upsert = [...intended.values()].filter((task) => !before.has(task.id) || !tasksEqual(before.get(task.id)!, task));
  const remove = [...before.keys()].filter((id) => !intended.has(id));
  const patched = applySchedulePatch({ text: sides.ours.text, parsed: sides.ours.parsed }, { upsert, delete: remove });
  const picks = new Map<string, TaskPick>();
  for (const decision of decisions) {
    if (decision.action === "conflict") picks.set(decision.id, "conflict");
    else if (decided(decision)!.value) picks.set(decision.id, decision.action === "merge" ? "merged" : decision.action === "write_yaml" ? "theirs" : "ours");
  }
  const conflicting = decisions.filter((d): d is Extract<TaskDecision, { action: "conflict" }> => d.action === "conflict");
  if (conflicting.length === 0) {
    return { ok: true, text: patched.text, conflicts: [], resolved: patched.text, tasks: patched.tasks, picks, via: "values" };
  }
  // Markers need blocks: the patched text keeps ours's layout, so it cuts only if ours did.
  const layout = cutSchedule(patched.text);
  const text = layout ? markValues(layout, conflicting, markers) : null;
  if (!text) {
    return { ok: false, side: "ours", issues: [{ code: "bad_structure", message: "the file cannot be merged per task (flow-style or aliased tasks): merge it by hand", line: 0, column: 0 }] };
  }
  return { ok: true, text: text.text, conflicts: text.conflicts, resolved: patched.text, tasks: patched.tasks, picks, via: "values" };
}

function markValues(layout: ScheduleLayout, conflicting: Extract<TaskDecision, { action: "conflict" }>[], markers: Markers): { text: string; conflicts: MergeConflict[] } {
  const eol = layout.eol;
  const render: RenderLayout = { unit: layout.step, indentSeq: true, eol };
  const body = (task: Task | null) => (task ? renderTask(task, layout.column, render) : "");
  const line = (char: string, label: string) => `${char.repeat(markers.size)}${label ? ` ${label}` : ""}${eol}`;
  const byId = new Map(conflicting.map((d) => [d.id, d]));
  let text = layout.head;
  const conflicts: MergeConflict[] = [];
  const put = (id: string, oursBody: string) => {
    const d = byId.get(id)!;
    const start = countLines(text) + 1;
    text += line("<", markers.labels.ours) + oursBody + (markers.diff3 ? line("|", markers.labels.base) + body(d.base) : "") + line("=", "") + body(d.db) + line(">", markers.labels.theirs);
    conflicts.push({ part: "task", id, kind: d.kind, fields: d.fields, base: d.base, ours: d.yaml, theirs: d.db, lines: [start, countLines(text)] });
    byId.delete(id);
  };
  for (const block of layout.blocks) {
    text += block.sep;
    if (byId.has(block.id)) put(block.id, block.body);
    else text += block.body;
  }
  for (const id of [...byId.keys()]) put(id, "");
  text += layout.tail;
  return { text: layout.finalNewline ? text : stripFinalEol(text, eol), conflicts };
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

function stripFinalEol(text: string, eol: string): string {
  return text.endsWith(eol) ? text.slice(0, -eol.length) : text;
}
