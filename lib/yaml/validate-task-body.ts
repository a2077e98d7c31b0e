import type { ZodError } from "zod";
import { taskBodySchema, type TaskBody } from "../tasks/task-schema";

type BodyResult = { success: true; data: TaskBody } | { success: false; issues: ZodError["issues"] };

const MAX_ENTRIES = 50_000;
const memo = new Map<string, BodyResult>();

/**
 * `taskBodySchema.safeParse`, memoized by the body's JSON. Time-zone and cron checks cost
 * ~0.1 ms each, and the store parses the same file again after every write, so a 10,000-task
 * file would spend seconds re-validating unchanged tasks without this.
 * Returned data is a fresh copy: callers may mutate it.
 */
export function validateTaskBody(body: unknown): BodyResult {
  let key: string | undefined;
  try {
    key = JSON.stringify(body);
  } catch {
    key = undefined; // not JSON-able (cannot come from YAML); validate without the memo
  }
  let result = key === undefined ? undefined : memo.get(key);
  if (result === undefined) {
    const parsed = taskBodySchema.safeParse(body);
    result = parsed.success ? { success: true, data: parsed.data } : { success: false, issues: parsed.error.issues };
    if (key !== undefined) {
      if (memo.size >= MAX_ENTRIES) memo.delete(memo.keys().next().value!);
      memo.set(key, result);
    }
  }
  return result.success ? { success: true, data: { ...result.data, tags: [...result.data.tags] } } : result;
}
