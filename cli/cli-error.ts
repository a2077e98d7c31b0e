import type { YamlIssue } from "../lib/yaml";

/**
 * An error the CLI reports as a message (never a stack trace) with exit code 2.
 * `issues` are printed compiler-style against `file`.
 */
export class CliError extends Error {
  override name = "CliError";
  readonly code: string;
  readonly issues: YamlIssue[];
  readonly file: string | null;

  constructor(code: string, message: string, options: { issues?: YamlIssue[]; file?: string | null; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.issues = options.issues ?? [];
    this.file = options.file ?? null;
  }
}

/** A mistake in the command line itself: reported with the command's usage. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The message for a refused schedule file; the problems themselves print above it, compiler-style. */
export const INVALID_FILE_MESSAGE = "the schedule file is invalid, so nothing was synced; fix the problems listed above and run again";

/**
 * A coded error of the sync, raised in this process or answered by a server, as the CLI
 * reports it: an invalid file prints its problems compiler-style, anything else its message.
 */
export function cliErrorOf(error: { code: string; message: string; details?: unknown }, file: string | null, cause?: unknown): CliError {
  if (error.code === "yaml_invalid") {
    const issues = ((error.details as { issues?: unknown[] } | undefined)?.issues ?? []).filter(isIssue);
    return new CliError("yaml_invalid", INVALID_FILE_MESSAGE, { issues, file, cause });
  }
  return new CliError(error.code, error.message, { cause });
}

export function isIssue(value: unknown): value is YamlIssue {
  const issue = value as YamlIssue | null;
  return typeof issue?.message === "string" && typeof issue.line === "number" && typeof issue.column === "number";
}
