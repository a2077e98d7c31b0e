import { isDatabaseUnavailable } from "../db/database-errors";
import { isCodedError } from "../errors";
import type { PeopleErrorCode } from "../people/people-errors";
import type { SyncErrorCode } from "../sync/engine/sync-errors";
import type { ApiErrorCode } from "./errors";

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/**
 * The HTTP status of every error code the lib can raise, in one table. Typed as a Record over
 * the union of the domains' codes, so a code added to a domain without a status here fails
 * the type check.
 */
const STATUS: Record<ApiErrorCode | SyncErrorCode | PeopleErrorCode, number> = {
  bad_request: 400,
  invalid_json: 400,
  validation_error: 400,
  merged_required: 400,
  merged_id_mismatch: 400,
  nothing_to_revert: 400,
  unauthorized: 401,
  invalid_token: 401,
  invalid_credentials: 401,
  forbidden: 403,
  forbidden_origin: 403,
  forbidden_host: 403,
  not_found: 404,
  user_not_found: 404,
  token_not_found: 404,
  method_not_allowed: 405,
  already_exists: 409,
  user_exists: 409,
  token_exists: 409,
  last_admin: 409,
  stale_version: 409,
  conflict_closed: 409,
  conflict_stale: 409,
  yaml_invalid: 409,
  read_only: 409,
  payload_too_large: 413,
  too_many_attempts: 429,
  yaml_write_refused: 422,
  internal_error: 500,
  yaml_write_failed: 500,
  shutting_down: 503,
  database_unavailable: 503,
  yaml_locked: 503,
  yaml_busy: 503,
  yaml_disk_full: 503,
  yaml_read_only: 503,
  yaml_io_error: 503,
};

/** Seconds a client should wait before trying again, for the conditions that pass by themselves. */
const RETRY_AFTER: Partial<Record<ApiErrorCode | SyncErrorCode, number>> = {
  shutting_down: 5,
  database_unavailable: 2,
  yaml_locked: 1,
  yaml_busy: 1,
  yaml_io_error: 5,
  yaml_disk_full: 30,
  yaml_read_only: 30,
};

export function statusOf(code: string): number {
  return (STATUS as Record<string, number>)[code] ?? 500;
}

export interface HttpError {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
}

/**
 * Any error as the API answers it: coded errors by their code, zod errors as 400 with the field
 * paths, a lost or refused database as 503, anything else a 500 that hides internals and is
 * logged.
 */
export function httpErrorOf(error: unknown, log: (message: string, error?: unknown) => void = console.error): HttpError {
  if (isCodedError(error)) {
    return reply(statusOf(error.code), { code: error.code, message: error.message, details: error.details });
  }
  if (isZodError(error)) {
    return reply(400, {
      code: "validation_error",
      message: error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "),
      details: error.issues.map((i) => ({ field: i.path.join("."), message: i.message })),
    });
  }
  if (isDatabaseUnavailable(error)) {
    log(`[api] database unavailable: ${error instanceof Error ? error.message.split("\n").filter(Boolean).pop() : String(error)}`);
    return reply(503, { code: "database_unavailable", message: "The database is unavailable (its connection was lost or refused); try again shortly." });
  }
  log("[api] unexpected error", error);
  return reply(500, { code: "internal_error", message: "Internal server error" });
}

/** A coded error body as the server's front door writes it, outside Next. */
export function errorBodyOf(code: ApiErrorCode, message: string): HttpError {
  return reply(statusOf(code), { code, message });
}

function reply(status: number, error: ErrorBody["error"]): HttpError {
  const retryAfter = (RETRY_AFTER as Record<string, number | undefined>)[error.code];
  return {
    status,
    body: { error: error.details === undefined ? { code: error.code, message: error.message } : error },
    headers: retryAfter === undefined ? {} : { "retry-after": String(retryAfter) },
  };
}

interface ZodLike {
  issues: { path: PropertyKey[]; message: string }[];
}

/** By shape: zod's class exists once per bundle (Next's and the server's). */
function isZodError(error: unknown): error is Error & ZodLike {
  return error instanceof Error && error.name === "ZodError" && Array.isArray((error as unknown as ZodLike).issues);
}
