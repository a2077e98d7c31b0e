import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parse,
  visit,
  type Document,
  type Node,
  type YAMLMap,
} from "yaml";
import { TASK_FIELDS, TASK_ID_PATTERN, taskIdSchema, type Task } from "../../tasks/task-schema";
import { parseYamlDocument } from "../fast/block-layout-tokens";
import { sha256Checksum } from "./checksum";
import { mergeConflictIssues } from "./merge-conflict";
import { nestingBeyond } from "./nesting-depth";
import { validateTaskBody } from "./validate-task-body";
import type { YamlIssue } from "./yaml-issue";

export const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;
export const DEFAULT_MAX_ALIAS_COUNT = 100;
/** Deeper nesting is refused before parsing: a schedule needs three levels. */
export const MAX_NESTING = 64;
const MAX_ISSUES = 100;

/** What the server keeps under `metadata:`; every field optional so a hand-trimmed block still reads. */
export interface ScheduleMetadata {
  sync_source?: "db" | "merge";
  written_at?: string;
  checksum?: string;
}

export type ParseResult =
  | {
      ok: true;
      /** Normalized tasks by id, in file order. */
      tasks: Map<string, Task>;
      order: string[];
      /** `"sha256:<hex>"` of the exact file bytes. */
      checksum: string;
      doc: Document.Parsed;
      metadata: ScheduleMetadata | null;
    }
  | { ok: false; issues: YamlIssue[]; checksum: string };

export interface ParseScheduleOptions {
  /** Files larger than this many bytes are refused before parsing. Default 5 MiB. */
  maxBytes?: number;
  /** Alias expansions allowed while converting (YAML bombs). Default 100. */
  maxAliasCount?: number;
}

const TOP_LEVEL_KEYS = ["version", "tasks", "metadata"];
const METADATA_KEYS = ["sync_source", "written_at", "checksum"];
const CONTROL_CHAR = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]/;

/**
 * Parses the text of a schedule file into normalized tasks, or into issues that point at the
 * offending node (1-based line and column). Pure: no file system access.
 *
 * @example
 * const result = parseSchedule('version: 1\ntasks:\n  a:\n    name: A\n    schedule: "* * * * *"\n    command: x\n');
 * if (result.ok) result.tasks.get("a")?.timezone; // "UTC"
 * else result.issues[0]; // { code, message, line, column, path? }
 */
export function parseSchedule(input: string | Uint8Array, opts: ParseScheduleOptions = {}): ParseResult {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const checksum = sha256Checksum(input);
  let decoded: string | null = null;
  // Git's conflict markers break the YAML in ways its messages do not name ("Implicit keys need
  // to be on a single line"): a file that fails with markers in it is reported as the merge.
  const fail = (issues: YamlIssue[]): ParseResult => {
    const merges = decoded === null ? [] : mergeConflictIssues(decoded);
    return { ok: false, issues: sortIssues(merges.length > 0 ? merges : issues), checksum };
  };

  const byteLength = typeof input === "string" ? Buffer.byteLength(input, "utf8") : input.byteLength;
  if (byteLength > maxBytes) {
    return fail([tooLargeIssue(byteLength, maxBytes)]);
  }

  let text: string;
  if (typeof input === "string") {
    text = input;
  } else {
    try {
      text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(input);
    } catch {
      const at = firstInvalidUtf8(input);
      return fail([
        {
          code: "not_utf8",
          message: `the file is not valid UTF-8 text (bad byte 0x${input[at]?.toString(16).padStart(2, "0")}); save it as UTF-8`,
          ...positionOfByte(input, at),
        },
      ]);
    }
  }

  decoded = text;
  const control = CONTROL_CHAR.exec(text);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
    return fail([
      {
        code: "not_utf8",
        message: `the file looks binary: it contains the control character U+${code}; a schedule file is UTF-8 text`,
        ...positionOfChar(text, control.index),
      },
    ]);
  }

  const deep = nestingBeyond(text, MAX_NESTING);
  if (deep !== -1) {
    return fail([
      {
        code: "too_deep",
        message: `nested more than ${MAX_NESTING} levels deep (a YAML bomb?); a schedule file needs only a few`,
        ...positionOfChar(text, deep),
      },
    ]);
  }

  const lineCounter = new LineCounter();
  // uniqueKeys is checked below in O(n): the library's check is O(n²) per map (~2 s at 10k tasks).
  const doc = parseYamlDocument(text, { uniqueKeys: false, prettyErrors: true, stringKeys: true, lineCounter });
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

  if (doc.errors.length > 0) {
    const seenLines = new Set<number>();
    const syntax: YamlIssue[] = [];
    for (const error of doc.errors) {
      const position = at(error.pos[0]);
      if (seenLines.has(position.line)) continue; // one error per line: the rest follow from it
      seenLines.add(position.line);
      let message = plainMessage(error.message);
      if (/alias/i.test(message)) message += ` (a value starting with "*" must be quoted, e.g. schedule: "* * * * *")`;
      syntax.push({ code: "syntax", message, ...position });
    }
    return fail(syntax);
  }

  const maxAliasCount = opts.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT;
  // toJS looks each alias's anchor up by walking the document, so many aliases cost
  // aliases × nodes (40,000 aliases in a 120 KB file took 18 s) however little they expand.
  // An alias needs an anchor (`&name`): a text without "&" has none, and is not walked.
  const aliases = text.includes("&") ? countAliases(doc.contents) : { count: 0, first: null };
  if (maxAliasCount >= 0 && aliases.count > maxAliasCount) {
    return fail([
      {
        code: "alias_limit",
        message: `more than ${maxAliasCount} aliases (*name); aliases are limited in this file`,
        ...at(aliases.first?.range?.[0] ?? 0),
      },
    ]);
  }

  let js: unknown;
  try {
    js = doc.toJS({ maxAliasCount });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    let offset = 0;
    visit(doc, {
      Alias(_, node) {
        offset = node.range?.[0] ?? 0;
        return visit.BREAK;
      },
    });
    return fail([
      /alias/i.test(message)
        ? {
            code: "alias_limit",
            message: "too many alias expansions (a YAML bomb?); aliases (*name) are limited in this file",
            ...at(offset),
          }
        : { code: "syntax", message, ...at(offset) },
    ]);
  }

  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) {
    return fail([{ code: "bad_structure", message: "the file is empty: expected `version: 1` and `tasks:`", line: 1, column: 1 }]);
  }
  if (!isMap(root)) {
    const found = isSeq(root) ? "a list" : "a single value";
    return fail([
      {
        code: "bad_structure",
        message: `the top level must be a map with \`version: 1\` and \`tasks:\`, not ${found}`,
        ...at(root.range[0]),
      },
    ]);
  }

  const issues: YamlIssue[] = [];
  const top = js as Record<string, unknown>;
  const nodeStart = (node: Node | null | undefined, fallback: number) =>
    at(node?.range && node.range[1] > node.range[0] ? node.range[0] : fallback);

  let tasksMap: YAMLMap | null = null;
  let hasTasks = false;
  let hasVersion = false;
  let metadata: ScheduleMetadata | null = null;
  for (const pair of root.items) {
    const key = keyString(pair.key);
    const keyOffset = (pair.key as Node | null)?.range?.[0] ?? 0;
    const value = resolve(doc, pair.value as Node | null);
    if (key === "version") {
      hasVersion = true;
      if (top.version !== 1) {
        issues.push({
          code: "unsupported_version",
          message: `version ${JSON.stringify(top.version)} is not supported; this file format is \`version: 1\``,
          ...nodeStart(value, keyOffset),
          path: ["version"],
        });
      }
    } else if (key === "tasks") {
      hasTasks = true;
      if (isMap(value)) tasksMap = value;
      else if (!(value === null || (isScalar(value) && value.value === null))) {
        issues.push({
          code: "bad_structure",
          message: "`tasks` must be a map of task id to task (write `tasks: {}` for none)",
          ...nodeStart(value, keyOffset),
          path: ["tasks"],
        });
      }
    } else if (key === "metadata") {
      metadata = checkMetadata(value, top.metadata, keyOffset, nodeStart, at, issues);
    } else {
      issues.push({
        code: "unknown_field",
        message: `unknown top-level key ${JSON.stringify(key)} (expected ${TOP_LEVEL_KEYS.join(", ")})`,
        ...at(keyOffset),
        path: [key ?? ""],
      });
    }
  }
  if (!hasVersion) {
    issues.push({ code: "bad_structure", message: "missing `version: 1` at the top level", ...at(root.range[0]) });
  }
  if (!hasTasks) {
    issues.push({
      code: "bad_structure",
      message: "missing `tasks:` at the top level (write `tasks: {}` for none)",
      ...at(root.range[0]),
    });
  }

  const duplicateIds = checkDuplicateKeys(doc, tasksMap, at, issues);

  const tasks = new Map<string, Task>();
  if (tasksMap) {
    const bodies = (top.tasks ?? {}) as Record<string, unknown>;
    for (const pair of tasksMap.items) {
      const id = keyString(pair.key) ?? "";
      const keyOffset = (pair.key as Node | null)?.range?.[0] ?? 0;
      const idValid = taskIdSchema.safeParse(id);
      if (!idValid.success) {
        issues.push({
          code: "invalid_id",
          message: `task id ${JSON.stringify(id)} ${idValid.error.issues[0]?.message ?? "is not valid"}`,
          ...at(keyOffset),
          path: ["tasks", id],
        });
      }
      const misread = isScalar(pair.key) && pair.key.type === "PLAIN" ? otherReading(id) : null;
      if (misread) {
        issues.push({
          code: "invalid_id",
          message: `task id ${id} is read as ${misread}; quote it: "${id}":`,
          ...at(keyOffset),
          path: ["tasks", id],
        });
      }
      const value = resolve(doc, pair.value as Node | null);
      if (!isMap(value)) {
        issues.push({
          code: "invalid_task",
          message: `task ${JSON.stringify(id)} must be a map of its fields (${TASK_FIELDS.join(", ")})`,
          ...nodeStart(value, keyOffset),
          path: ["tasks", id],
        });
        continue;
      }
      if (duplicateIds.has(id)) continue;
      const body = validateTaskBody(bodies[id]);
      if (body.success) {
        if (idValid.success) tasks.set(id, { id, ...body.data });
        continue;
      }
      for (const issue of body.issues) {
        if (issue.code === "unrecognized_keys") {
          for (const field of issue.keys) {
            const fieldPair = value.items.find((item) => keyString(item.key) === field);
            const hint = field === "<<" ? "; merge keys (<<) are not supported" : "";
            issues.push({
              code: "unknown_field",
              message: `task ${JSON.stringify(id)}: unknown field ${JSON.stringify(field)} (allowed: ${TASK_FIELDS.join(", ")})${hint}`,
              ...at((fieldPair?.key as Node | null)?.range?.[0] ?? keyOffset),
              path: ["tasks", id, field],
            });
          }
          continue;
        }
        const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
        const field = path.length > 0 ? path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("") : "task";
        const fieldPair = value.items.find((item) => keyString(item.key) === path[0]);
        const node = path.length > 0 ? (value.getIn(path, true) as Node | undefined) : undefined;
        const missing = path.length > 0 && !fieldPair;
        issues.push({
          code: "invalid_task",
          message: `task ${JSON.stringify(id)}: ${field}${missing ? " is required" : describe(field, issue.message)}`,
          ...nodeStart(node ?? (fieldPair?.value as Node | null), (fieldPair?.key as Node | null)?.range?.[0] ?? keyOffset),
          path: ["tasks", id, ...path],
        });
      }
    }
  }

  if (issues.length > 0) return fail(issues);
  const result = { ok: true as const, tasks, order: [...tasks.keys()], checksum, doc, metadata };
  if (aliases.count === 0) markFreeOfAliases(result);
  return result;
}

const freeOfAliases = new WeakSet<object>();

/** Whether a parse result is known to hold no alias (`*name`), so no write can break one. */
export function knownFreeOfAliases(parsed: object): boolean {
  return freeOfAliases.has(parsed);
}

/** For parsers that know (a re-parse checks every unit it parses, and starts from a result without aliases). */
export function markFreeOfAliases(parsed: object): void {
  freeOfAliases.add(parsed);
}

export function tooLargeIssue(byteLength: number, maxBytes: number): YamlIssue {
  return {
    code: "too_large",
    message: `the file is ${formatBytes(byteLength)}, more than the limit of ${formatBytes(maxBytes)}`,
    line: 1,
    column: 1,
  };
}

type At = (offset: number) => { line: number; column: number };

function checkMetadata(
  value: Node | null,
  data: unknown,
  keyOffset: number,
  nodeStart: (node: Node | null | undefined, fallback: number) => { line: number; column: number },
  at: At,
  issues: YamlIssue[],
): ScheduleMetadata | null {
  if (value === null || (isScalar(value) && value.value === null)) return null;
  if (!isMap(value)) {
    issues.push({
      code: "bad_structure",
      message: "`metadata` must be a map (it is written by the server; you may delete it)",
      ...nodeStart(value, keyOffset),
      path: ["metadata"],
    });
    return null;
  }
  // With a repeated `metadata` key the data is the last one's (reported as a duplicate): read this one's own.
  const record = (data !== null && typeof data === "object" ? data : ownData(value)) as Record<string, unknown>;
  const metadata: ScheduleMetadata = {};
  for (const pair of value.items) {
    const key = keyString(pair.key) ?? "";
    const offset = (pair.key as Node | null)?.range?.[0] ?? keyOffset;
    const field = record[key];
    const bad = (expected: string) =>
      issues.push({
        code: "bad_structure",
        message: `metadata.${key} must be ${expected} (it is written by the server; you may delete it)`,
        ...nodeStart(pair.value as Node | null, offset),
        path: ["metadata", key],
      });
    if (key === "sync_source") {
      if (field === "db" || field === "merge") metadata.sync_source = field;
      else bad("db or merge");
    } else if (key === "written_at") {
      if (typeof field === "string") metadata.written_at = field;
      else if (field instanceof Date) metadata.written_at = field.toISOString();
      else bad("a timestamp");
    } else if (key === "checksum") {
      if (typeof field === "string") metadata.checksum = field;
      else bad("a string");
    } else if (TASK_ID_PATTERN.test(key) && isMap(pair.value)) {
      // The natural edit that fell into the old trailing block: a task appended at the bottom.
      issues.push({
        code: "unknown_field",
        message: `"${key}" looks like a task but is under \`metadata:\` (which the server no longer writes): move it under \`tasks:\`, or delete the \`metadata:\` block`,
        ...at(offset),
        path: ["metadata", key],
      });
    } else {
      issues.push({
        code: "unknown_field",
        message: `unknown field ${JSON.stringify(key)} in metadata (expected ${METADATA_KEYS.join(", ")})`,
        ...at(offset),
        path: ["metadata", key],
      });
    }
  }
  return metadata;
}

function ownData(map: YAMLMap): unknown {
  try {
    return map.toJSON();
  } catch {
    return {};
  }
}

/** Reports repeated keys in every map (the second occurrence); returns the repeated task ids. */
function checkDuplicateKeys(doc: Document.Parsed, tasksMap: YAMLMap | null, at: At, issues: YamlIssue[]): Set<string> {
  const duplicateIds = new Set<string>();
  // A walk over collections only: `visit` would call back for every scalar too.
  const walk = (node: unknown, path: string[]): void => {
    if (isSeq(node)) {
      for (const item of node.items) walk(item, path);
      return;
    }
    if (!isMap(node)) return;
    const seen = new Map<string, number>();
    for (const pair of node.items) {
      const key = keyString(pair.key);
      const offset = (pair.key as Node | null)?.range?.[0];
      if (isMap(pair.value) || isSeq(pair.value)) walk(pair.value, [...path, key ?? ""]);
      if (key === null || offset === undefined) continue;
      const first = seen.get(key);
      if (first === undefined) {
        seen.set(key, offset);
        continue;
      }
      const isTask = node === tasksMap;
      if (isTask) duplicateIds.add(key);
      issues.push({
        code: "duplicate_key",
        message: `duplicate ${isTask ? "task id" : "key"} ${JSON.stringify(key)} (first defined on line ${at(first).line})`,
        ...at(offset),
        path: [...path, key],
      });
    }
  };
  walk(doc.contents, []);
  return duplicateIds;
}

/** How many aliases the file holds, and the first one (iterative: any depth). */
function countAliases(root: unknown): { count: number; first: Node | null } {
  const stack: unknown[] = [root];
  let count = 0;
  let first: Node | null = null;
  while (stack.length > 0) {
    const node = stack.pop();
    if (isAlias(node)) {
      count++;
      if (!first || (node.range?.[0] ?? 0) < (first.range?.[0] ?? 0)) first = node;
    } else if (isMap(node) || isSeq(node)) {
      for (const item of node.items) stack.push(item);
    } else if (isPair(node)) {
      stack.push(node.key, node.value);
    }
  }
  return { count, first };
}

/** Task ids that are words YAML 1.1 reads as booleans or null (ids are lowercase). */
const KEYWORD_IDS = new Set(["y", "n", "yes", "no", "on", "off", "true", "false", "null"]);

/**
 * How other YAML readers read a plain task id that is not a string to them, e.g.
 * `"the number 7 by YAML 1.2 readers"` for `007`, or null when every reader reads the id itself.
 * This parser reads every key as its text, so `007:` and `7:` are two tasks here but one
 * duplicate key to a YAML 1.2 reader, and `yes:` is the boolean true to PyYAML.
 */
function otherReading(id: string): string | null {
  // Only ids starting with a digit (numbers, dates) and the keywords can read as anything else.
  if (!/^[0-9]/.test(id) && !KEYWORD_IDS.has(id)) return null;
  for (const version of ["1.2", "1.1"] as const) {
    let value: unknown;
    try {
      value = parse(id, { version, logLevel: "silent" });
    } catch {
      continue;
    }
    if (typeof value === "string") continue;
    const readers = version === "1.2" ? "YAML 1.2 readers" : "YAML 1.1 readers (PyYAML)";
    return `${describeValue(value)} by ${readers}`;
  }
  return null;
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value instanceof Date) return `the date ${value.toISOString()}`;
  if (typeof value === "boolean") return `the boolean ${value}`;
  if (typeof value === "number" || typeof value === "bigint") return `the number ${String(value)}`;
  return `a ${typeof value}`;
}

export function keyString(key: unknown): string | null {
  if (isScalar(key)) return key.value === null || key.value === undefined ? "" : String(key.value);
  return null;
}

function resolve(doc: Document.Parsed, node: Node | null): Node | null {
  if (node && isAlias(node)) return (node.resolve(doc) as Node | undefined) ?? null;
  return node ?? null;
}

/** The library's pretty messages end with " at line L, column C:" and a code frame; we report those separately. */
function plainMessage(message: string): string {
  return message.replace(/ at line \d+, column \d+:[\s\S]*$/, "").trim();
}

/**
 * Joins a zod message to the field name: our own messages read on ("schedule is not a valid
 * cron expression"), zod's generic ones get a colon ("enabled: expected boolean, received string").
 */
function describe(field: string, message: string): string {
  const text = message.replace(/^Invalid input:\s*/, "");
  return text === message && /^[a-z]/.test(text) && !field.endsWith("]") ? ` ${text}` : `: ${text}`;
}

function sortIssues(issues: YamlIssue[]): YamlIssue[] {
  return issues
    .map((issue, index) => ({ issue, index }))
    .sort((a, b) => a.issue.line - b.issue.line || a.issue.column - b.issue.column || a.index - b.index)
    .slice(0, MAX_ISSUES)
    .map(({ issue }) => issue);
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

function positionOfChar(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < index; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: index - lineStart + 1 };
}

function positionOfByte(bytes: Uint8Array, index: number): { line: number; column: number } {
  let lineStart = 0;
  let line = 1;
  for (let i = 0; i < index; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  const prefix = new TextDecoder("utf-8").decode(bytes.subarray(lineStart, index));
  return { line, column: [...prefix].length + 1 };
}

/** Byte offset of the first malformed UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let need = 0;
    let min = 0;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return bytes.length;
}
