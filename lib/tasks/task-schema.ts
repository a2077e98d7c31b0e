import { z } from "zod";
import { boundedMemo } from "./bounded-memo";
import { cronError, normalizeCron } from "./cron";
import { invisibleCharacterProblem } from "./invisible-characters";

/**
 * One definition of a task, shared by the API, the YAML store and the UI forms.
 * A `Task` is always normalized: defaults filled, cron whitespace collapsed, so
 * two sides holding the same task compare equal field by field.
 */

export const TASK_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const TAG_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

export const TASK_FIELDS = ["name", "schedule", "timezone", "command", "enabled", "description", "tags"] as const;
export type TaskField = (typeof TASK_FIELDS)[number];

export const LIMITS = {
  name: 200,
  command: 4096,
  description: 2000,
  tags: 32,
} as const;

/** Whether `zone` is an IANA time zone this runtime knows. Memoized: each check costs ~0.1 ms. */
export const isValidTimezone: (zone: string) => boolean = boundedMemo(1_000, (zone) => {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
});

/**
 * A string without bidi controls and other invisible characters (lib/tasks/invisible-characters.ts),
 * checked first so the answer names the code point ("command: contains U+202E RIGHT-TO-LEFT
 * OVERRIDE") instead of a pattern that happens to fail too.
 */
const visibleString = (kind: "code" | "text") =>
  z.string().superRefine((value, ctx) => {
    const problem = invisibleCharacterProblem(value, kind);
    if (problem) ctx.addIssue({ code: "custom", message: problem, continue: false });
  });

export const taskIdSchema = visibleString("code")
  .regex(TASK_ID_PATTERN, "must be 1-64 characters: lowercase letters, digits, '-' or '_', starting with a letter or digit");

/**
 * Text both sides can store: PostgreSQL text cannot hold NUL, and a lone UTF-16 surrogate
 * has no UTF-8 form (the DB refuses it; the file would get U+FFFD instead).
 */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const storable = (text: string) => !UNSTORABLE.test(text);
const STORABLE_MESSAGE = "must not contain NUL characters or broken Unicode";

const nameSchema = visibleString("text").trim().min(1, "must not be empty").max(LIMITS.name).refine(storable, STORABLE_MESSAGE);
const commandSchema = visibleString("code").trim().min(1, "must not be empty").max(LIMITS.command).refine(storable, STORABLE_MESSAGE);
const timezoneSchema = visibleString("code").refine(isValidTimezone, "is not a known IANA time zone (e.g. UTC, Europe/Berlin)");
const scheduleSchema = visibleString("code")
  .transform(normalizeCron)
  .superRefine((expr, ctx) => {
    if (/\bH\b/i.test(expr)) {
      ctx.addIssue({ code: "custom", message: "randomized 'H' fields are not supported" });
      return;
    }
    const message = cronError(expr);
    if (message) ctx.addIssue({ code: "custom", message: `is not a valid cron expression: ${message}` });
  });
const descriptionSchema = visibleString("text").trim().max(LIMITS.description).refine(storable, STORABLE_MESSAGE).nullable();
const tagsSchema = z
  .array(visibleString("code").regex(TAG_PATTERN, "tags are 1-64 letters, digits or _.:-"))
  .max(LIMITS.tags)
  .refine((tags) => new Set(tags).size === tags.length, "must not repeat a tag");

/** The fields of a task as a person writes them: optional ones may be left out. */
const taskFieldsShape = {
  name: nameSchema,
  schedule: scheduleSchema,
  timezone: timezoneSchema.default("UTC"),
  command: commandSchema,
  enabled: z.boolean().default(true),
  description: descriptionSchema.default(null).transform((d) => (d === "" ? null : d)),
  tags: tagsSchema.default([]),
};

/** Task body without the id: what the YAML holds under `tasks.<id>`. Unknown fields are refused. */
export const taskBodySchema = z.strictObject(taskFieldsShape);

export const taskSchema = z.strictObject({ id: taskIdSchema, ...taskFieldsShape });
export type Task = z.output<typeof taskSchema>;
export type TaskBody = Omit<Task, "id">;

export const createTaskSchema = taskSchema;

/** PUT replaces the whole task; `version` enables optimistic concurrency. */
export const putTaskSchema = z.strictObject({ ...taskFieldsShape, version: z.number().int().nonnegative().optional() });

/** PATCH changes only the given fields. */
export const patchTaskSchema = z
  .strictObject({
    name: nameSchema,
    schedule: scheduleSchema,
    timezone: timezoneSchema,
    command: commandSchema,
    enabled: z.boolean(),
    description: descriptionSchema,
    tags: tagsSchema,
    version: z.number().int().nonnegative(),
  })
  .partial();

/** Parses anything task-shaped into its normalized form; throws a ZodError otherwise. */
export function normalizeTask(input: unknown): Task {
  return taskSchema.parse(input);
}

/** Field-by-field equality of two normalized tasks (ids are compared too). */
export function tasksEqual(a: Task, b: Task): boolean {
  if (a.id !== b.id) return false;
  for (const field of TASK_FIELDS) if (!fieldEqual(a[field], b[field])) return false;
  return true;
}

/** The fields whose values differ between two normalized tasks. */
export function changedFields(a: Task, b: Task): TaskField[] {
  return TASK_FIELDS.filter((field) => !fieldEqual(a[field], b[field]));
}

function fieldEqual(a: Task[TaskField], b: Task[TaskField]): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => v === b[i]);
  return a === b;
}
