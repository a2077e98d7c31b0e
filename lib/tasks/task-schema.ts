import { z } from "zod";
import { cronError, normalizeCron } from "./cron";
import { invisibleCharacterProblem } from "./invisible-characters";
import { isValidTimezone, TASK_ID_PATTERN } from "./task-fields";

export { changedFields, isValidTimezone, TASK_FIELDS, TASK_ID_PATTERN, tasksEqual, type TaskField } from "./task-fields";

/**
 * One definition of a task, shared by the API, the YAML store and the UI forms.
 * A `Task` is always normalized: defaults filled, cron whitespace collapsed, so
 * two sides holding the same task compare equal field by field.
 */

export const TAG_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;


export const LIMITS = {
  name: 200,
  command: 4096,
  description: 2000,
  tags: 32,
} as const;


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
