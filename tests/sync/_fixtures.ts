import type { Task, TaskBody } from "../../lib/tasks/task-schema";

const defaults: TaskBody = {
  name: "Daily backup",
  schedule: "0 2 * * *",
  timezone: "UTC",
  command: "/opt/scripts/backup.sh",
  enabled: true,
  description: null,
  tags: ["ops"],
};

/** A normalized task; every call builds a fresh `tags` array so equality is never by identity. */
export function task(id: string, overrides: Partial<TaskBody> = {}): Task {
  const body = { ...defaults, ...overrides };
  return { id, ...body, tags: [...body.tags] };
}

export function taskMap(...tasks: (Task | null | undefined)[]): Map<string, Task> {
  const map = new Map<string, Task>();
  for (const t of tasks) if (t) map.set(t.id, t);
  return map;
}
