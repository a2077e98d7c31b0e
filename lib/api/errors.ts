/**
 * Domain errors carry a stable `code` and an HTTP status; the route wrapper maps
 * them to `{"error":{"code","message","details"}}` in one place.
 */
const BRAND = Symbol.for("schedule-sync.AppError");

export class AppError extends Error {
  readonly [BRAND] = true;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "AppError";
  }
}

export const notFound = (what: string, id: string) => new AppError(404, "not_found", `${what} '${id}' does not exist`);

export const badRequest = (message: string, details?: unknown) => new AppError(400, "bad_request", message, details);

export const conflictError = (code: string, message: string, details?: unknown) => new AppError(409, code, message, details);

/**
 * `instanceof` is not enough: route handlers are bundled by Next, the engine is loaded
 * by server.ts, so the same class exists twice in one process. The brand is shared.
 */
export function isAppError(error: unknown): error is AppError {
  return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[BRAND] === true;
}
