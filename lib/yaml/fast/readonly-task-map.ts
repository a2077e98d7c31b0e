import type { Task } from "../../tasks/task-schema";

/**
 * A Map of tasks that throws on any change once made: what the store hands every reader of
 * one version of the file, so 10,000 entries are not copied per read. `new Map(tasks)` gives
 * a copy you may change.
 */
export class ReadonlyTaskMap extends Map<string, Task> {
  /**
   * A read-only copy of `entries`, changed by `edit` before anyone else sees it (a re-parse
   * builds the next version from the last one this way: one copy, not two).
   */
  static copyOf(entries: Iterable<[string, Task]>, edit?: (draft: { set(id: string, task: Task): void; delete(id: string): void }) => void): ReadonlyTaskMap {
    const map = new ReadonlyTaskMap();
    for (const [id, task] of entries) Map.prototype.set.call(map, id, task);
    edit?.({ set: (id, task) => Map.prototype.set.call(map, id, task), delete: (id) => Map.prototype.delete.call(map, id) });
    return map;
  }

  override set(): this {
    throw readOnly();
  }
  override delete(): boolean {
    throw readOnly();
  }
  override clear(): void {
    throw readOnly();
  }
}

function readOnly(): TypeError {
  return new TypeError("the tasks a read returns are shared and read-only: copy them (new Map(tasks)) to change them");
}
