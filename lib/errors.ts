/**
 * The one shape of an expected failure anywhere in lib/: a stable `code` (each domain declares
 * its codes as a string union) with a message for people and optional `details` for programs.
 * Lib code never decides HTTP statuses or exit codes; lib/api/error-status.ts maps codes to
 * statuses, cli/exit-code.ts to exit codes.
 */
const BRAND = Symbol.for("schedule-sync.CodedError");

export class CodedError<C extends string = string> extends Error {
  readonly [BRAND] = true;
  readonly code: C;
  readonly details?: unknown;

  constructor(code: C, message: string, options: { details?: unknown; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "CodedError";
    this.code = code;
    if (options.details !== undefined) this.details = options.details;
  }
}

/**
 * `instanceof` is not enough: route handlers are bundled by Next and the engine by the server's
 * own bundle, so the same class exists twice in one process. The brand is shared.
 */
export function isCodedError(error: unknown): error is CodedError {
  return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[BRAND] === true;
}
