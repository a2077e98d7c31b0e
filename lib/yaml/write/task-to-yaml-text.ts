import type { Task } from "../../tasks/task-schema";
import { DEFAULT_LAYOUT, renderTask } from "./yaml-render";

/**
 * YAML text of one task as the store would write it, e.g. for a side-by-side view;
 * `""` for an absent task.
 *
 * @example
 * taskToYamlText(task);
 * // daily-backup:
 * //   name: Daily database backup
 * //   schedule: "0 2 * * *"
 * //   …
 */
export function taskToYamlText(task: Task | null): string {
  return task ? renderTask(task, 0, DEFAULT_LAYOUT) : "";
}
