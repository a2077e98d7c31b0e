import { Document, isScalar, isSeq, Pair, Scalar, YAMLMap, YAMLSeq, type Node, type ScalarTag, type SchemaOptions, type Tags, type ToStringOptions } from "yaml";
import { TASK_FIELDS, type Task, type TaskField } from "../../tasks/task-schema";

/**
 * How the store renders the pieces it writes. Everything goes through the `yaml` stringifier, so
 * quoting is always right; `compat: "yaml-1.1"` also quotes strings such as `yes`/`on`/`~`,
 * `010` or `2001-12-14` that YAML 1.1 readers (PyYAML, older tools) would take for booleans,
 * nulls, numbers or dates, and the string tag below escapes what a reader may not show or accept.
 */

/**
 * Characters no writer puts into the file as they are: DEL and the C1 controls (not printable
 * in YAML; readers refuse them, ours takes DEL for a binary file), NEL and the line/paragraph
 * separators (line breaks to a YAML 1.1 reader, so a quoted value would be folded), the byte
 * order mark and U+FFFE/U+FFFF (not printable), and the invisible bidi and zero-width format
 * characters (text that reads differently from what it holds). A string holding one is written
 * double-quoted with the character as an escape (`\x7F`, `\N`, `\u202E`), so the value survives.
 * The C0 controls are escaped by the library itself.
 */
const ESCAPED_CHAR = /[\x7F-\x9F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\uFFFE\uFFFF]/;
const ESCAPED_CHARS = new RegExp(ESCAPED_CHAR.source, "g");
const NAMED_ESCAPES: Record<string, string> = { "\x85": "\\N", "\u2028": "\\L", "\u2029": "\\P" };

function escapeChar(char: string): string {
  const code = char.charCodeAt(0);
  return NAMED_ESCAPES[char] ?? (code <= 0xff ? `\\x${code.toString(16).toUpperCase().padStart(2, "0")}` : `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`);
}

const STR_TAG = "tag:yaml.org,2002:str";

/**
 * The library's string tag with more rules: strings holding an ESCAPED_CHAR are written
 * double-quoted with those characters escaped; a plain `=` (YAML 1.1's "value" key, which
 * PyYAML cannot construct) and a plain string over several lines are double-quoted.
 */
function safeStringTags(tags: Tags): Tags {
  return tags.map((tag) => {
    if (typeof tag === "string" || tag.tag !== STR_TAG || !("resolve" in tag)) return tag;
    const base = (tag as ScalarTag).stringify!;
    const safe: ScalarTag = {
      ...(tag as ScalarTag),
      stringify(item, ctx, onComment, onChompKeep) {
        const value = String(item.value);
        if (ESCAPED_CHAR.test(value)) {
          const quoted = base(Object.assign(new Scalar(value), { type: Scalar.QUOTE_DOUBLE }), ctx, onComment, onChompKeep);
          return quoted.replace(ESCAPED_CHARS, escapeChar);
        }
        // A plain `=` is YAML 1.1's "value" key; a plain scalar over several lines is where the
        // library errs (`-\n$` comes out as `-` and a line break: a sequence indicator).
        const plainMultiLine = value.includes("\n") && (ctx.inFlow || item.type === Scalar.PLAIN);
        if ((value === "=" && item.type !== Scalar.QUOTE_SINGLE) || plainMultiLine) {
          return base(Object.assign(new Scalar(value), { type: Scalar.QUOTE_DOUBLE }), ctx, onComment, onChompKeep);
        }
        return base(item, ctx, onComment, onChompKeep);
      },
    };
    return safe;
  });
}

/** Schema options of every Document the store stringifies (see above). */
export const WRITE_SCHEMA: SchemaOptions = { compat: "yaml-1.1", customTags: safeStringTags };

export interface RenderLayout {
  /** Spaces per nesting level. */
  unit: number;
  /** Whether block sequences are indented under their key (`tags:\n  - a`) or not (`tags:\n- a`). */
  indentSeq: boolean;
  eol: "\n" | "\r\n";
}

export const DEFAULT_LAYOUT: RenderLayout = { unit: 2, indentSeq: true, eol: "\n" };

const renderDoc = new Document(null, { ...WRITE_SCHEMA, version: "1.2" });

/**
 * Options of every stringify. Double-quoted text stays on one line (`\n` escapes): the library
 * breaks it over lines from 40 characters on, and gets that wrong for text with spaces around
 * line breaks (`"a \n \n b…"` came back with a stray backslash).
 */
export const WRITE_OPTIONS: ToStringOptions = { lineWidth: 0, flowCollectionPadding: false, doubleQuotedMinMultiLineLength: Number.MAX_SAFE_INTEGER };

function stringify(node: Node, layout: RenderLayout, options: ToStringOptions = {}): string {
  renderDoc.contents = node;
  try {
    return renderDoc.toString({ ...WRITE_OPTIONS, indent: layout.unit, indentSeq: layout.indentSeq, ...options });
  } finally {
    renderDoc.contents = null;
  }
}

/** `node` rendered at column 0 by the library (with its comments), in the layout's line endings. */
export function renderNode(node: Node, layout: RenderLayout, options: ToStringOptions = {}): string {
  return withEol(stringify(node, layout, options), layout.eol);
}

/**
 * A value on one line, as it can stand where a flow value stands in block or flow context (in
 * place of an alias, say): quoted as it would be inside `[…]`, collections in flow style.
 */
export function renderInline(node: Node, options: { padding?: boolean } = {}): string {
  const wrapper = new YAMLSeq();
  wrapper.flow = true;
  wrapper.items.push(node);
  const text = stringify(wrapper, DEFAULT_LAYOUT, { flowCollectionPadding: options.padding ?? false }).trimEnd();
  if (!text.startsWith("[") || !text.endsWith("]") || text.includes("\n")) throw new Error(`cannot render ${text} on one line`);
  return text.slice(1, -1);
}

/** Whether the store leaves this field out of a task it writes (it equals the default). */
export function omittedWhenDefault(field: TaskField, value: Task[TaskField]): boolean {
  return (field === "description" && value === null) || (field === "tags" && Array.isArray(value) && value.length === 0);
}

/**
 * A node for one field value. `hint` is the node the file held before, whose style is kept where
 * the new value allows it. Schedules are always quoted: a cron `*` at the start is alias syntax.
 */
export function fieldValueNode(field: TaskField | string, value: unknown, hint?: unknown): Node {
  if (Array.isArray(value)) {
    const seq = new YAMLSeq();
    seq.items = value.map((item) => new Scalar(item));
    seq.flow = !(isSeq(hint) && !hint.flow && value.length > 0);
    return seq;
  }
  const scalar = new Scalar(value);
  const hintType = isScalar(hint) ? hint.type : undefined;
  if (field === "schedule") {
    scalar.type = hintType === "QUOTE_SINGLE" ? "QUOTE_SINGLE" : "QUOTE_DOUBLE";
  } else if (typeof value === "string" && hintType) {
    const block = hintType === "BLOCK_LITERAL" || hintType === "BLOCK_FOLDED";
    if (block ? blockKeeps(value, hintType) : !value.includes("\n")) scalar.type = hintType;
  }
  return scalar;
}

/**
 * Whether a block scalar of this style reads back as `value`: both read a line of only spaces
 * as an empty one and need an indicator for a first line starting with a space; folding also
 * trims and joins lines, so a line that starts or ends with a space is lost there. Otherwise the
 * library picks a style that holds the value (double quotes at worst).
 */
function blockKeeps(value: string, style: "BLOCK_LITERAL" | "BLOCK_FOLDED"): boolean {
  const lines = value.split("\n");
  if (/^\s/.test(value) || lines.some((line) => line.length > 0 && line.trim() === "")) return false;
  return style === "BLOCK_LITERAL" || !lines.some((line) => /^\s|\s$/.test(line));
}

/** `key: value` line(s) at column 0, ending with a line break. */
export function renderPair(key: string, value: Node, layout: RenderLayout): string {
  const map = new YAMLMap();
  map.items.push(new Pair(new Scalar(key), value));
  return withEol(stringify(map, layout), layout.eol);
}

/** The block of one task, its key at column `column`; written fields in the schema's order. */
export function renderTask(task: Task, column: number, layout: RenderLayout): string {
  const root = new YAMLMap();
  root.items.push(new Pair(new Scalar(task.id), taskBodyNode(task)));
  return indentLines(withEol(stringify(root, layout), layout.eol), column);
}

/** The fields of a task as a map node, in the schema's order, defaults left out. */
export function taskBodyNode(task: Task): YAMLMap {
  const body = new YAMLMap();
  for (const field of TASK_FIELDS) {
    if (omittedWhenDefault(field, task[field])) continue;
    body.items.push(new Pair(new Scalar(field), fieldValueNode(field, task[field])));
  }
  return body;
}

/** Prefixes every non-empty line with `column` spaces. */
export function indentLines(text: string, column: number): string {
  if (column === 0) return text;
  const pad = " ".repeat(column);
  return text.replace(/^(?!\r?$)/gm, pad);
}

function withEol(text: string, eol: string): string {
  return eol === "\n" ? text : text.replace(/\n/g, eol);
}
