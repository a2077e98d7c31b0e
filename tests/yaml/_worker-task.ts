import { normalizeTask, type Task } from "../../lib/tasks/task-schema";

/** The task a worker process writes for `id` (the parent uses it to check what landed). */
export function makeTaskForWorker(id: string): Task {
  return normalizeTask({
    id,
    name: `Task ${id}`,
    schedule: `${id.length % 60} * * * *`,
    command: `/opt/scripts/run.sh --task ${id}`,
    tags: ["worker"],
  });
}
