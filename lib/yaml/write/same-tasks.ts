import { tasksEqual, type Task } from "../../tasks/task-schema";

/** Same ids, same order, same fields. */
export function sameTasks(a: ReadonlyMap<string, Task>, b: ReadonlyMap<string, Task>): boolean {
  return sameEntries(a, b.entries(), b.size);
}

/** `sameTasks` against entries walked once (e.g. a generator), given their count. */
export function sameEntries(a: ReadonlyMap<string, Task>, b: Iterable<[string, Task]>, bSize: number): boolean {
  if (a.size !== bSize) return false;
  const right = b[Symbol.iterator]();
  for (const [id, task] of a) {
    const next = right.next();
    if (next.done || next.value[0] !== id) return false;
    if (task !== next.value[1] && !tasksEqual(task, next.value[1])) return false;
  }
  return true;
}
