import { isMap, isScalar, LineCounter, parseDocument } from "yaml";

/** Where each task's `schedule` value (or its key when it has none) starts: 1-based line and column. */
export function scheduleLines(text: string): Map<string, { line: number; column: number }> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
  const lines = new Map<string, { line: number; column: number }>();
  const tasks = doc.get("tasks", true);
  if (!isMap(tasks)) return lines;
  for (const pair of tasks.items) {
    if (!isScalar(pair.key)) continue;
    const schedule = isMap(pair.value) ? pair.value.get("schedule", true) : null;
    const node = isScalar(schedule) ? schedule : pair.key;
    const offset = node.range?.[0];
    if (offset === undefined) continue;
    const { line, col } = lineCounter.linePos(offset);
    lines.set(String(pair.key.value), { line, column: col });
  }
  return lines;
}
