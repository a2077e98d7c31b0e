import { isMap, isScalar, Scalar, type Node, type Pair, type YAMLMap } from "yaml";
import { changedFields, TASK_FIELDS, taskIdSchema, tasksEqual, type Task, type TaskField } from "../../tasks/task-schema";
import { tasksChecksum } from "../parse/checksum";
import { applyEdits, type Edit } from "./apply-edits";
import { inlineBrokenAliases } from "./inline-aliases";
import { keyLine, NotPatchable, pairBlock, type PairBlock } from "./pair-block";
import { keyString, parseSchedule, type ParseResult, type ParseScheduleOptions, type ScheduleMetadata } from "../parse/parse-schedule";
import { dropMetadata, patchMetadata } from "./patch-metadata";
import { patchTaskNodes } from "./patch-task-nodes";
import { reformatDocument } from "./reformat-document";
import { fillEmptyValue, replaceValue } from "./replace-value";
import { keysStartLines, reparseSchedule, type TextEdit } from "../fast/reparse-schedule";
import { sameEntries } from "./same-tasks";
import { detectEol, isBlankLine, lineAt, lineEndOf, lineStartOf, previousLineStart } from "../parse/text-lines";
import { validateTaskBody } from "../parse/validate-task-body";
import type { YamlIssue } from "../parse/yaml-issue";
import {
  DEFAULT_LAYOUT,
  fieldValueNode,
  indentLines,
  omittedWhenDefault,
  renderPair,
  renderTask,
  type RenderLayout,
} from "./yaml-render";
import { YamlStoreError } from "../yaml-store-error";

export interface SchedulePatch {
  /** Tasks to create or replace (whole tasks; fields left at their default are written only if the file has them). */
  upsert?: Task[];
  /** Ids to remove; ids that are not in the file are ignored. */
  delete?: string[];
  /** Stamp `metadata` (sync_source, written_at, checksum of the tasks) when given. */
  metadata?: { sync_source: "db" | "merge" };
  /**
   * Remove a `metadata` block when the patch writes the file anyway (the server no longer keeps
   * one: lineage lives in the database, issue #17). A patch that changes no task writes nothing.
   */
  dropMetadata?: boolean;
}

type ParsedOk = Extract<ParseResult, { ok: true }>;

export interface PatchedSchedule {
  /** The new file text (the old one when nothing changed). */
  text: string;
  tasks: Map<string, Task>;
  /** False when the patch changes nothing: no write is needed. */
  changed: boolean;
  /** The parse of `text` that validated it (absent when unchanged). */
  parsed?: ParsedOk;
  /**
   * How the text was made: edited in place (block layout); by the Document API on the changed
   * task nodes only (`document`: flow-style `tasks`, explicit keys…); the whole Document
   * re-rendered (`reformat`, the last resort); or a new file.
   */
  via?: "in_place" | "document" | "reformat" | "new_file";
}

export const FILE_HEADER = [
  "# Scheduled tasks, kept in sync with the database by schedule-sync.",
  "# Edit by hand or in the web UI: comments and formatting are kept when the server writes this file.",
  "# Each key under `tasks` is a task id (lowercase letters, digits, '-' and '_').",
];

/**
 * Applies a patch to the text of a valid schedule file (or creates one when `current` is null)
 * and returns the new text, validated by parsing it again. Pure: no file system access.
 *
 * Only the lines that change are touched: a changed field gets its new value in place (its
 * trailing comment kept), a new field goes after its neighbour in schema order, a deleted task
 * takes its leading comments with it, and a new task goes at the end of `tasks`. Everything
 * else (comments, blank lines, key order, quoting) stays byte for byte. Layouts the in-place
 * editor does not handle (flow-style `tasks`, explicit `? id` keys…) go to `patchTaskNodes`,
 * which re-renders only the changed tasks' bodies with the yaml Document API; what that cannot
 * do either, `reformatDocument` does by re-rendering the whole file. Aliases that the patch
 * would break are written out as their values first (`inlineBrokenAliases`).
 *
 * The result is validated by parsing it; an in-place edit re-parses only the edited tasks and
 * the metadata (`reparseSchedule`), which is as good as a full parse and far cheaper.
 *
 * @throws YamlStoreError `invalid_result` when the patch holds an invalid task or the result
 *   would not read back as exactly the intended tasks.
 */
export function applySchedulePatch(
  current: { text: string; parsed: ParsedOk } | null,
  patch: SchedulePatch,
  opts: ParseScheduleOptions & { now?: Date } = {},
): PatchedSchedule {
  const upserts = normalizeUpserts(patch);
  const deletes = new Set(patch.delete ?? []);
  for (const task of upserts) {
    if (deletes.has(task.id)) throw new YamlStoreError("invalid_result", `task "${task.id}" is both upserted and deleted`);
  }

  const before = current?.parsed.tasks ?? new Map<string, Task>();
  // The intended tasks, in the order a Map would hold them (`new Map(before)`, set the upserts,
  // delete the deletes), walked without copying 10,000 entries; the Map is made only if asked for.
  const upsertById = new Map(upserts.map((task) => [task.id, task]));
  const intended = function* (): Generator<[string, Task]> {
    for (const [id, task] of before) if (!deletes.has(id)) yield [id, upsertById.get(id) ?? task];
    for (const task of upserts) if (!before.has(task.id)) yield [task.id, task];
  };
  const intendedSize = before.size + upserts.filter((task) => !before.has(task.id)).length - [...deletes].filter((id) => before.has(id)).length;
  let tasksMap: Map<string, Task> | null = null;
  const tasks = () => (tasksMap ??= new Map(intended()));

  let metadata: Required<ScheduleMetadata> | null = null;
  if (patch.metadata) {
    const now = opts.now ?? new Date();
    metadata = {
      sync_source: patch.metadata.sync_source,
      written_at: now.toISOString().replace(/\.\d{3}Z$/, "Z"),
      checksum: tasksChecksum(Array.from(intended(), ([, task]) => task)),
    };
  }

  if (current) {
    const old = current.parsed.metadata;
    const metadataSame = !metadata || (old?.sync_source === metadata.sync_source && old?.checksum === metadata.checksum);
    // The same as sameTasks(before, tasks), in the time of the patch rather than of the file.
    const tasksSame = upserts.every((task) => before.has(task.id) && tasksEqual(before.get(task.id)!, task)) && [...deletes].every((id) => !before.has(id));
    if (metadataSame && tasksSame) return withTasks({ text: current.text, changed: false }, tasks);
  }

  const change: Change = { before, tasks, upserts, deletes, metadata, dropMetadata: !metadata && patch.dropMetadata === true && current?.parsed.metadata != null };
  // Aliases of what the patch replaces would break (or change with it): write them out first.
  const source = current && (inlineBrokenAliases(current, { before, upserts, deletes, metadata: metadata !== null }, opts) ?? current);
  const candidates: [NonNullable<PatchedSchedule["via"]>, () => { text: string; edits?: TextEdit[] }][] = source
    ? [
        ["in_place", () => patchInPlace(source.text, source.parsed, change)],
        ["document", () => ({ text: patchTaskNodes(source.text, change) })],
        ["reformat", () => ({ text: reformatDocument(source.text, change) })],
      ]
    : [["new_file", () => ({ text: newFileText(change) })]];

  let lastIssues: YamlIssue[] = [];
  let lastError: unknown;
  for (const [via, candidate] of candidates) {
    let text: string;
    let edits: TextEdit[] | undefined;
    try {
      ({ text, edits } = candidate());
    } catch (error) {
      if (error instanceof YamlStoreError) throw error;
      // NotPatchable: a layout this writer leaves to the next one. Anything else (the library
      // refusing to stringify, say) must not escape as a plain Error either: the next writer tries.
      if (!(error instanceof NotPatchable)) lastError = error;
      continue;
    }
    const reparsed = source && edits ? reparseSchedule(source, text, { ...opts, edits }) : null;
    const parsed = reparsed ?? parseSchedule(text, opts);
    if (parsed.ok && sameEntries(parsed.tasks, intended(), intendedSize)) return withTasks({ text, changed: true, parsed, via }, tasks);
    lastIssues = parsed.ok ? [] : parsed.issues;
  }
  throw new YamlStoreError("invalid_result", "the patched schedule does not read back as the intended tasks", {
    issues: lastIssues,
    cause: lastError,
  });
}

/** The result with its `tasks` Map made on first access. */
function withTasks(result: Omit<PatchedSchedule, "tasks">, tasks: () => Map<string, Task>): PatchedSchedule {
  return Object.defineProperty(result, "tasks", { enumerable: true, get: tasks }) as PatchedSchedule;
}

export interface Change {
  before: ReadonlyMap<string, Task>;
  /** The intended tasks as a Map (built on demand: only a new file needs it). */
  tasks: () => ReadonlyMap<string, Task>;
  upserts: Task[];
  deletes: ReadonlySet<string>;
  metadata: Required<ScheduleMetadata> | null;
  /** Remove the file's `metadata` block. */
  dropMetadata: boolean;
}

function normalizeUpserts(patch: SchedulePatch): Task[] {
  const seen = new Set<string>();
  const issues: YamlIssue[] = [];
  const tasks: Task[] = [];
  for (const input of patch.upsert ?? []) {
    const id = input?.id;
    const idResult = taskIdSchema.safeParse(id);
    if (!idResult.success) {
      issues.push({ code: "invalid_id", message: `task id ${JSON.stringify(id)} is not valid`, line: 0, column: 0, path: ["tasks", String(id)] });
      continue;
    }
    if (seen.has(id)) throw new YamlStoreError("invalid_result", `task "${id}" is upserted twice`);
    seen.add(id);
    // Only the task's own fields: a DB row may carry more (version, timestamps).
    const body = Object.fromEntries(TASK_FIELDS.filter((f) => input[f] !== undefined).map((f) => [f, input[f]]));
    const result = validateTaskBody(body);
    if (result.success) tasks.push({ id, ...result.data });
    else {
      for (const issue of result.issues) {
        const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
        issues.push({
          code: "invalid_task",
          message: `task "${id}": ${path.join(".") || "task"}: ${issue.message}`,
          line: 0,
          column: 0,
          path: ["tasks", id, ...path],
        });
      }
    }
  }
  if (issues.length > 0) throw new YamlStoreError("invalid_result", "the patch holds an invalid task", { issues });
  return tasks;
}

/**
 * Minimal text edits; see `applySchedulePatch`. Throws NotPatchable for layouts it leaves to the
 * fallback. Works out the source position of only the tasks it edits (and the first and last),
 * so one edit in a 10,000-task file costs what it costs in a small one.
 */
function patchInPlace(text: string, parsed: ParsedOk, change: Change): { text: string; edits: TextEdit[] } {
  const eol = detectEol(text);
  const root = parsed.doc.contents;
  if (!isMap(root)) throw new NotPatchable("root is not a map");
  const tasksPair = root.items.find((pair) => keyString(pair.key) === "tasks");
  if (!tasksPair) throw new NotPatchable("no tasks key");
  const tasksValue = tasksPair.value as Node | null;
  const tasksMap = isMap(tasksValue) && tasksValue.items.length > 0 ? tasksValue : null;
  if (tasksMap?.flow) throw new NotPatchable("flow-style tasks map");
  if (tasksValue && !tasksMap && !isScalar(tasksValue) && !(isMap(tasksValue) && tasksValue.items.length === 0)) {
    throw new NotPatchable("tasks is an alias");
  }

  const edits: Edit[] = [];
  const pairs = tasksMap?.items ?? [];
  // Every task must be editable in place (else the Document API does it); only the edited ones need their block.
  if (!keysStartLines(parsed)) for (const pair of pairs) keyLine(text, pair);
  const order = pairs.map((pair) => keyString(pair.key)!);
  // Positions of just the tasks the patch touches: one pass, no index of all 10,000.
  const wanted = new Set([...change.upserts.map((task) => task.id), ...change.deletes]);
  const indexOf = new Map<string, number>();
  for (let i = 0; i < order.length && indexOf.size < wanted.size; i++) if (wanted.has(order[i]!)) indexOf.set(order[i]!, i);
  const blockCache = new Map<number, PairBlock>();
  const blockAt = (index: number) => {
    let block = blockCache.get(index);
    if (!block) blockCache.set(index, (block = pairBlock(text, pairs[index]!)));
    return block;
  };
  const entryOf = (id: string) => {
    const index = indexOf.get(id);
    return index === undefined ? undefined : { pair: pairs[index]!, block: blockAt(index) };
  };
  const topUnit = pairs.length > 0 ? blockAt(0).column : (metadataColumn(text, root) ?? 2);
  const layout = detectLayout(text, pairs, blockAt, topUnit, eol);

  // Changed tasks: only their changed fields.
  for (const task of change.upserts) {
    const old = change.before.get(task.id);
    const entry = old ? entryOf(task.id) : undefined;
    if (!old || !entry) continue;
    const fields = changedFields(old, task);
    if (fields.length === 0) continue;
    const value = entry.pair.value as Node | null;
    if (!isMap(value) || value.flow || value.items.length === 0) {
      edits.push({ start: entry.block.lineStart, end: entry.block.contentEnd, text: renderTask(task, entry.block.column, layout) });
      continue;
    }
    patchFields(text, value, fields, task, layout, edits);
  }

  // Deleted tasks, with their leading comments; one blank line of two goes with them.
  const tasksKeyLine = lineStartOf(text, (tasksPair.key as Node).range![0]);
  const removalEnd = new Map<string, number>();
  let lastKept = -1;
  order.forEach((id, index) => {
    if (!change.deletes.has(id)) lastKept = index;
  });
  order.forEach((id, index) => {
    if (!change.deletes.has(id)) return;
    const block = blockAt(index);
    let end = block.blockEnd;
    const prev = previousLineStart(text, block.leadStart);
    const prevBlank = prev >= 0 && prev !== tasksKeyLine && isBlankLine(lineAt(text, prev));
    const prevIsTasksKey = prev === tasksKeyLine && index < lastKept;
    if ((prevBlank || prevIsTasksKey) && end < text.length && isBlankLine(lineAt(text, end))) end = lineEndOf(text, end);
    removalEnd.set(id, end);
    edits.push({ start: block.leadStart, end, text: "" });
  });

  // New tasks at the end of `tasks`.
  const added = change.upserts.filter((task) => !change.before.has(task.id));
  if (added.length > 0) {
    if (tasksMap) {
      const lastId = order[order.length - 1]!;
      const last = blockAt(order.length - 1);
      const at = removalEnd.get(lastId) ?? last.blockEnd;
      const prev = previousLineStart(text, last.leadStart);
      const blankBetween = order.length >= 2 && prev >= 0 && isBlankLine(lineAt(text, prev));
      const body = added.map((task) => (blankBetween ? eol : "") + renderTask(task, last.column, layout)).join("");
      edits.push({ start: at, end: at, text: body, ownLine: true });
    } else {
      edits.push(...fillEmptyValue(text, tasksPair, added.map((task) => renderTask(task, topUnit, layout)).join(eol)));
    }
  } else if (tasksMap && lastKept === -1) {
    const colon = text.indexOf(":", (tasksPair.key as Node).range![1]);
    edits.push({ start: colon + 1, end: colon + 1, text: " {}" });
  }

  if (change.metadata) patchMetadata(text, root, change.metadata, topUnit, layout, edits);
  else if (change.dropMetadata) dropMetadata(text, root, edits);

  return applyEdits(text, edits, eol);
}

function patchFields(text: string, taskMap: YAMLMap, fields: TaskField[], task: Task, layout: RenderLayout, edits: Edit[]): void {
  const fieldBlocks = new Map<string, { pair: Pair; block: PairBlock }>();
  for (const pair of taskMap.items) fieldBlocks.set(keyString(pair.key)!, { pair, block: pairBlock(text, pair) });
  const column = fieldBlocks.values().next().value!.block.column;

  for (const field of fields) {
    const value = task[field];
    const existing = fieldBlocks.get(field);
    if (existing) {
      if (omittedWhenDefault(field, value)) {
        edits.push({ start: existing.block.leadStart, end: existing.block.blockEnd, text: "" });
      } else {
        edits.push(replaceValue(text, existing.pair, existing.block, field, value, layout));
      }
      continue;
    }
    if (omittedWhenDefault(field, value)) continue;
    // After the present field that comes last before it in schema order, else before the first field.
    const rank = TASK_FIELDS.indexOf(field);
    let anchor: PairBlock | null = null;
    let anchorRank = -1;
    for (const [name, entry] of fieldBlocks) {
      const r = TASK_FIELDS.indexOf(name as TaskField);
      if (r < rank && r > anchorRank) {
        anchor = entry.block;
        anchorRank = r;
      }
    }
    const at = anchor ? anchor.blockEnd : fieldBlocks.values().next().value!.block.leadStart;
    const lines = indentLines(renderPair(field, fieldValueNode(field, value), layout), column);
    edits.push({ start: at, end: at, text: lines, ownLine: true });
  }
}

function metadataColumn(text: string, root: YAMLMap): number | null {
  const pair = root.items.find((item) => keyString(item.key) === "metadata");
  const value = pair?.value;
  if (!isMap(value) || value.flow || value.items.length === 0) return null;
  const start = (value.items[0]!.key as Node).range?.[0];
  return start === undefined ? null : start - lineStartOf(text, start);
}

/** Indentation the file already uses, so written lines match their neighbours. */
function detectLayout(text: string, pairs: readonly Pair[], blockAt: (index: number) => PairBlock, topUnit: number, eol: "\n" | "\r\n"): RenderLayout {
  let unit = topUnit;
  let indentSeq = true;
  for (const [index, pair] of pairs.entries()) {
    const body = pair.value;
    if (!isMap(body) || body.flow || body.items.length === 0) continue;
    const block = blockAt(index);
    const first = (body.items[0]!.key as Node).range![0];
    unit = Math.max(1, first - lineStartOf(text, first) - block.column);
    for (const item of body.items) {
      const seq = item.value as Node | null;
      if (seq && !isScalar(seq) && !isMap(seq) && "flow" in seq && !seq.flow && seq.range) {
        const keyStart = (item.key as Node).range![0];
        indentSeq = seq.range[0] - lineStartOf(text, seq.range[0]) > keyStart - lineStartOf(text, keyStart);
        break;
      }
    }
    break;
  }
  return { unit, indentSeq, eol };
}

function newFileText(change: Change): string {
  const layout = DEFAULT_LAYOUT;
  const lines = [...FILE_HEADER, "version: 1"];
  let text = lines.join("\n") + "\n";
  const tasks = change.tasks();
  if (tasks.size === 0) text += "tasks: {}\n";
  else text += "tasks:\n" + [...tasks.values()].map((task) => renderTask(task, layout.unit, layout)).join("\n");
  if (change.metadata) {
    text += "metadata:\n";
    for (const [key, value] of Object.entries(change.metadata)) text += indentLines(renderPair(key, new Scalar(value), layout), layout.unit);
  }
  return text;
}
