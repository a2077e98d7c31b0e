import { isAlias, isMap, isPair, isScalar, isSeq, Pair, Scalar, YAMLMap, YAMLSeq, type Alias, type Document, type Node } from "yaml";
import { changedFields, type Task } from "../../tasks/task-schema";
import { keyString, knownFreeOfAliases, parseSchedule, type ParseResult, type ParseScheduleOptions } from "../parse/parse-schedule";
import { sameTasks } from "./same-tasks";
import { renderInline } from "./yaml-render";
import { YamlStoreError } from "../yaml-store-error";

type ParsedOk = Extract<ParseResult, { ok: true }>;

export interface AliasRisk {
  before: ReadonlyMap<string, Task>;
  upserts: readonly Task[];
  deletes: ReadonlySet<string>;
  /** Whether the patch stamps `metadata` (its values are replaced). */
  metadata: boolean;
}

/** More nodes than this in the values written out means the aliases expand too far. */
const MAX_INLINED_NODES = 10_000;

/**
 * Writes out, as their value, the aliases (`*name`) that a patch would break: those whose
 * anchor (`&name`) sits in a value the patch replaces or removes, or in a task body it
 * changes (an alias of a whole task body would change with it). Every other byte of the file
 * stays as it was, and the result reads as the same tasks, so a writer may then edit the
 * anchored task freely.
 *
 * @example
 * // a: {name: A, schedule: &s "0 * * * *", command: c}
 * // b: {name: B, schedule: *s, command: d}
 * inlineBrokenAliases(current, { deletes: new Set(["a"]), … });
 * // b: {name: B, schedule: "0 * * * *", command: d}
 *
 * Returns null when nothing needs to change (most files have no anchors at all).
 * @throws YamlStoreError `invalid_result` when an alias that would break is a key, or expands
 *   beyond reason.
 */
export function inlineBrokenAliases(
  current: { text: string; parsed: ParsedOk },
  risk: AliasRisk,
  opts: ParseScheduleOptions = {},
): { text: string; parsed: ParsedOk } | null {
  const { text, parsed } = current;
  // The parsers know when a file holds no alias (most do; walking 10,000 tasks takes ~15 ms).
  if (knownFreeOfAliases(parsed)) return null;
  const doc = parsed.doc;
  const root = doc.contents;
  if (!isMap(root)) return null;
  const tasks = root.items.find((pair) => keyString(pair.key) === "tasks")?.value;
  if (!isMap(tasks)) return null;

  // Nodes whose value changes or which go away (an alias of them must be written out), and the
  // subset that is replaced outright (an alias inside those goes with them).
  const changed = new Set<unknown>([root, tasks]);
  const replaced = new Set<unknown>();
  const replace = (node: unknown) => {
    for (const each of subtree(node)) {
      changed.add(each);
      replaced.add(each);
    }
  };
  const touched = new Map(risk.upserts.map((task) => [task.id, task]));
  for (const pair of tasks.items) {
    const id = keyString(pair.key);
    if (id === null) continue;
    if (risk.deletes.has(id)) {
      replace(pair);
      continue;
    }
    const task = touched.get(id);
    const old = risk.before.get(id);
    if (!task || !old) continue;
    const fields = changedFields(old, task);
    if (fields.length === 0) continue;
    const body = pair.value;
    if (!isMap(body) || body.flow) {
      // Writers may render such a task whole; every value in it is at risk.
      for (const each of subtree(pair)) changed.add(each);
      continue;
    }
    changed.add(body);
    for (const field of fields) {
      const fieldPair = body.items.find((item) => keyString(item.key) === field);
      if (fieldPair) replace(fieldPair);
    }
  }
  if (risk.metadata) {
    const metadata = root.items.find((pair) => keyString(pair.key) === "metadata");
    if (metadata) for (const each of subtree(metadata.value)) changed.add(each);
  }

  // Anchors resolve to the last node before the alias that carries the name: one walk in file order.
  const broken: { alias: Alias; target: Node }[] = [];
  const anchors = new Map<string, Node>();
  const keys = new Set<unknown>();
  for (const node of subtree(root, keys)) {
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (!target || !changed.has(target) || replaced.has(node)) continue;
      if (keys.has(node)) throw new YamlStoreError("invalid_result", `the alias *${node.source} is a key and its anchor would change; write the key out`);
      broken.push({ alias: node, target });
    } else if ((node as { anchor?: string }).anchor) {
      anchors.set((node as { anchor: string }).anchor, node as Node);
    }
  }
  if (broken.length === 0) return null;

  let out = "";
  let pos = 0;
  const budget = { nodes: MAX_INLINED_NODES };
  for (const { alias, target } of broken.sort((a, b) => a.alias.range![0] - b.alias.range![0])) {
    const [start, end] = alias.range!;
    let value: string;
    try {
      value = renderInline(materialize(target, doc, budget));
    } catch (error) {
      if (error instanceof YamlStoreError) throw error;
      throw new YamlStoreError("invalid_result", `the alias *${alias.source} cannot be written out as its value`, { cause: error });
    }
    out += text.slice(pos, start) + value;
    pos = end;
  }
  out += text.slice(pos);

  const reparsed = parseSchedule(out, opts);
  if (!reparsed.ok || !sameTasks(reparsed.tasks, parsed.tasks)) {
    throw new YamlStoreError("invalid_result", "the aliases (*name) of the tasks being changed could not be written out as values", {
      issues: reparsed.ok ? [] : reparsed.issues,
    });
  }
  return { text: out, parsed: reparsed };
}

/**
 * A copy of `node` with aliases replaced by copies of what they point at, anchors and comments
 * dropped, collections in flow style: a value that can stand where the alias stood.
 */
function materialize(node: Node, doc: Document, budget: { nodes: number }): Node {
  if (--budget.nodes < 0) throw new YamlStoreError("invalid_result", "an alias (*name) of a task being changed expands too far to be written out");
  if (isAlias(node)) {
    // Nested aliases are few (the file passed the alias limits): the library's lookup will do.
    const target = node.resolve(doc) as Node | undefined;
    if (!target) throw new YamlStoreError("invalid_result", `the alias *${node.source} has no anchor`);
    return materialize(target, doc, budget);
  }
  if (isScalar(node)) {
    const copy = new Scalar(node.value);
    copy.type = node.type;
    if (node.tag) copy.tag = node.tag;
    if (node.format) copy.format = node.format;
    if (node.minFractionDigits) copy.minFractionDigits = node.minFractionDigits;
    return copy;
  }
  if (isMap(node) || isSeq(node)) {
    const copy = isMap(node) ? new YAMLMap() : new YAMLSeq();
    copy.flow = true;
    if (node.tag) copy.tag = node.tag;
    for (const item of node.items as unknown[]) {
      if (isPair(item)) {
        const key = item.key === null || item.key === undefined ? item.key : materialize(item.key as Node, doc, budget);
        const value = item.value === null || item.value === undefined ? item.value : materialize(item.value as Node, doc, budget);
        (copy.items as unknown[]).push(new Pair(key, value));
      } else {
        (copy.items as unknown[]).push(materialize(item as Node, doc, budget));
      }
    }
    return copy;
  }
  throw new YamlStoreError("invalid_result", "an alias (*name) points at a value that cannot be written out");
}

/** Every node and pair under `node`, itself included, in file order; keys are also added to `keys`. */
function* subtree(node: unknown, keys?: Set<unknown>): Generator<unknown> {
  const stack: unknown[] = [node];
  while (stack.length > 0) {
    const next = stack.pop();
    if (next === null || next === undefined || typeof next !== "object") continue;
    yield next;
    if (isPair(next)) {
      keys?.add(next.key);
      stack.push(next.value, next.key);
    } else if (isMap(next) || isSeq(next)) {
      for (let i = next.items.length - 1; i >= 0; i--) stack.push(next.items[i]);
    }
  }
}
