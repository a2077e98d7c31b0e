import type { ZodError } from "zod";
import { taskBodySchema, type TaskBody } from "../../tasks/task-schema";

type BodyResult = { success: true; data: TaskBody } | { success: false; issues: ZodError["issues"] };

const MAX_ENTRIES = 50_000;
const memo = new Map<string, BodyResult>();

/**
 * `taskBodySchema.safeParse`, memoized by the body's JSON. Time-zone and cron checks cost
 * ~0.1 ms each, and the store parses the same file again after every write, so a 10,000-task
 * file would spend seconds re-validating unchanged tasks without this.
 * Only bodies that JSON tells apart are memoized (see `memoKey`); any other body is validated
 * afresh, so the memo never changes an outcome.
 * Returned data is a fresh copy: callers may mutate it.
 */
export function validateTaskBody(body: unknown): BodyResult {
  const key = memoKey(body);
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

/** @internal For tests: forget every memoized result. */
export function clearTaskBodyMemo(): void {
  memo.clear();
}

/** Deeper than a task body (object → tags → strings) is never memoized. */
const MAX_DEPTH = 4;

/**
 * The body's JSON when that names exactly one value, else undefined. `JSON.stringify` maps
 * NaN and ±Infinity to `null`, -0 to `0`, a Date to its ISO string, and drops `undefined`,
 * symbol keys and array holes: two bodies the schema judges differently (`description: .nan`
 * vs `~`, `!!timestamp` vs its ISO text) would share one entry. Plain JSON data (strings,
 * booleans, null, finite numbers other than -0, dense arrays, plain objects of enumerable
 * string keys) has one JSON text per value, so it is the only data memoized. Checking costs
 * ~0.2 µs a body, a tenth of the JSON.stringify it guards.
 */
function memoKey(body: unknown): string | undefined {
  return isPlainJson(body, 0) ? JSON.stringify(body) : undefined;
}

function isPlainJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0);
    case "object":
      break;
    default:
      return false;
  }
  if (value === null) return true;
  if (depth >= MAX_DEPTH) return false;
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) return false;
    for (let i = 0; i < value.length; i++) if (!(i in value) || !isPlainJson(value[i], depth + 1)) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  // JSON skips symbol and non-enumerable keys; a schema need not.
  const keys = Object.keys(value);
  if (Object.getOwnPropertyNames(value).length !== keys.length || Object.getOwnPropertySymbols(value).length > 0) return false;
  for (const key of keys) if (!isPlainJson((value as Record<string, unknown>)[key], depth + 1)) return false;
  return true;
}
