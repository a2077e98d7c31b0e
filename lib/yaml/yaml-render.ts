import { Document, isScalar, isSeq, Pair, Scalar, YAMLMap, YAMLSeq, type Node } from "yaml";
import { TASK_FIELDS, type Task, type TaskField } from "../tasks/task-schema";

/**
 * How the store renders the pieces it writes. Everything goes through the `yaml` stringifier, so
 * quoting is always right; `compat: "yaml-1.1"` also quotes strings such as `yes`/`on` that
 * YAML 1.1 readers (PyYAML, older tools) would take for booleans.
 */

export interface RenderLayout {
  /** Spaces per nesting level. */
  unit: number;
  /** Whether block sequences are indented under their key (`tags:\n  - a`) or not (`tags:\n- a`). */
  indentSeq: boolean;
  eol: "\n" | "\r\n";
}

export const DEFAULT_LAYOUT: RenderLayout = { unit: 2, indentSeq: true, eol: "\n" };

const renderDoc = new Document(null, { compat: "yaml-1.1", version: "1.2" });

function stringify(node: Node, layout: RenderLayout): string {
  renderDoc.contents = node;
  try {
    return renderDoc.toString({
      lineWidth: 0,
      flowCollectionPadding: false,
      indent: layout.unit,
      indentSeq: layout.indentSeq,
    });
  } finally {
    renderDoc.contents = null;
  }
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
    if (block || !value.includes("\n")) scalar.type = hintType;
  }
  return scalar;
}

/** `key: value` line(s) at column 0, ending with a line break. */
export function renderPair(key: string, value: Node, layout: RenderLayout): string {
  const map = new YAMLMap();
  map.items.push(new Pair(new Scalar(key), value));
  return withEol(stringify(map, layout), layout.eol);
}

/** The block of one task, its key at column `column`; written fields in the schema's order. */
export function renderTask(task: Task, column: number, layout: RenderLayout): string {
  const body = new YAMLMap();
  for (const field of TASK_FIELDS) {
    if (omittedWhenDefault(field, task[field])) continue;
    body.items.push(new Pair(new Scalar(field), fieldValueNode(field, task[field])));
  }
  const root = new YAMLMap();
  root.items.push(new Pair(new Scalar(task.id), body));
  return indentLines(withEol(stringify(root, layout), layout.eol), column);
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
