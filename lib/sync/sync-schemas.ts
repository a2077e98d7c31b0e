import { z } from "zod";
import { taskSchema } from "../tasks/task-schema";

export const directionSchema = z.enum(["bidirectional", "yaml_to_db", "db_to_yaml"]);

export const triggerSyncSchema = z.strictObject({
  /** Who asked: the dashboard's button, or the command-line tool talking to this server. */
  trigger: z.enum(["manual", "cli"]).default("manual"),
  direction: directionSchema.default("bidirectional"),
  force: z.boolean().default(false),
  dryRun: z.boolean().default(false),
});

export const resolveConflictSchema = z
  .strictObject({
    resolution: z.enum(["keep_yaml", "keep_db", "merge"]),
    merged: taskSchema.optional(),
  })
  .refine((body) => body.resolution !== "merge" || body.merged, { message: "a merge needs the full merged task", path: ["merged"] });

export const conflictListQuerySchema = z.strictObject({
  status: z.enum(["open", "resolved", "all"]).default("open"),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

export const runListQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before: z.iso.datetime({ offset: true }).optional(),
  changed: z.enum(["true", "false"]).optional(),
  /** Runs of one actor: a name ("alice"), a kind ("file", "cron", "admin_token"), or both ("token:ci"). */
  actor: z.string().trim().min(1).max(200).optional(),
});

export const uuidSchema = z.uuid();

export const revisionListQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  /** The `seq` of the last revision of the previous page. */
  before: z.coerce.number().int().positive().optional(),
});

export const restoreRevisionSchema = z.strictObject({ dryRun: z.boolean().default(false) });

export const revertSchema = z.strictObject({ changeId: z.string().regex(/^\d{1,18}$/, "must be the id of a change from the task's history") });

export const decideHeldSchema = z.strictObject({
  /** The side whose copies are gone: "yaml" (the file lost them) or "db". */
  deletedIn: z.enum(["yaml", "db"]),
  /** "apply": delete them on the other side too; "restore": put them back where they were deleted. */
  action: z.enum(["apply", "restore"]),
  dryRun: z.boolean().default(false),
});
