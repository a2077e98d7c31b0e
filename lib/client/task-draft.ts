import type { Task } from "@/lib/tasks/task-schema";

/**
 * A task as form inputs hold it: strings for description and tags. Shared by the task
 * form and the merge editor, so both turn a task into inputs and back the same way.
 */
export interface TaskDraft {
  id: string;
  name: string;
  schedule: string;
  timezone: string;
  command: string;
  enabled: boolean;
  description: string;
  tags: string;
}

export const EMPTY_DRAFT: TaskDraft = { id: "", name: "", schedule: "", timezone: "UTC", command: "", enabled: true, description: "", tags: "" };

export function draftFromTask(task: Task): TaskDraft {
  return {
    id: task.id,
    name: task.name,
    schedule: task.schedule,
    timezone: task.timezone,
    command: task.command,
    enabled: task.enabled,
    description: task.description ?? "",
    tags: task.tags.join(", "),
  };
}

export function parseTags(text: string): string[] {
  return text
    .split(/[,\s]+/)
    .map((t) => t.trim())
    .filter(Boolean);
}

/** The request body for a draft; the shared zod schema validates it. */
export function taskInputFromDraft(draft: TaskDraft) {
  return {
    id: draft.id.trim(),
    name: draft.name,
    schedule: draft.schedule,
    timezone: draft.timezone.trim(),
    command: draft.command,
    enabled: draft.enabled,
    description: draft.description.trim() ? draft.description : null,
    tags: parseTags(draft.tags),
  };
}
