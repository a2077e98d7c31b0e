import { isMap, parseDocument, YAMLMap } from "yaml";
import type { Change } from "./apply-schedule-patch";
import { patchTaskBody } from "./patch-task-nodes";
import { detectEol } from "../parse/text-lines";
import { taskBodyNode, WRITE_OPTIONS, WRITE_SCHEMA } from "./yaml-render";

/**
 * The last resort of the writers: the patch made with the yaml Document API on a fresh parse,
 * and the whole file re-rendered by the library. Comments are kept (re-spaced), blank lines in
 * a row become one, values are re-quoted as the write schema wants; line endings and a byte
 * order mark are given back. Only for files neither other writer handles (a flow-style root).
 */
export function reformatDocument(text: string, change: Change): string {
  const doc = parseDocument(text, { stringKeys: true, uniqueKeys: false, ...WRITE_SCHEMA });
  if (!isMap(doc.get("tasks", true))) doc.set("tasks", new YAMLMap());
  for (const id of change.deletes) doc.deleteIn(["tasks", id]);
  for (const task of change.upserts) {
    const old = change.before.get(task.id);
    const node = doc.getIn(["tasks", task.id], true);
    if (old && isMap(node)) patchTaskBody(node, old, task);
    else doc.setIn(["tasks", task.id], taskBodyNode(task));
  }
  if (change.dropMetadata) doc.delete("metadata");
  if (change.metadata) {
    if (!isMap(doc.get("metadata", true))) doc.set("metadata", new YAMLMap());
    for (const [key, value] of Object.entries(change.metadata)) doc.setIn(["metadata", key], value);
  }
  // The library writes "\n" and no byte order mark: give the file back what it had.
  const out = doc.toString(WRITE_OPTIONS);
  const bom = text.startsWith("\uFEFF") ? "\uFEFF" : "";
  return bom + (detectEol(text) === "\r\n" ? out.replace(/\r?\n/g, "\r\n") : out);
}
