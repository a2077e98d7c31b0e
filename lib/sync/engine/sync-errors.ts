import { CodedError } from "../../errors";
import { YamlStoreError, type YamlIssue } from "../../yaml";

/** Why a sync, a task write or a conflict resolution did not happen. */
export type SyncErrorCode =
  /** The schedule file does not parse or validate; nothing was changed. */
  | "yaml_invalid"
  /** Another writer holds the file lock past the bounded wait. */
  | "yaml_locked"
  /** The file kept changing while the run tried to write it. */
  | "yaml_busy"
  | "yaml_disk_full"
  | "yaml_read_only"
  | "yaml_io_error"
  | "yaml_write_failed"
  /** The change cannot be written as a valid schedule file (the writer refused its own result). */
  | "yaml_write_refused"
  | "not_found"
  | "already_exists"
  | "stale_version"
  | "conflict_closed"
  | "conflict_stale"
  | "merged_required"
  | "merged_id_mismatch"
  | "nothing_to_revert";

export class SyncError extends CodedError<SyncErrorCode> {
  override name = "SyncError";
}

export const notFound = (what: string, id: string) => new SyncError("not_found", `${what} '${id}' does not exist`);

export function yamlInvalidError(issues: YamlIssue[], path: string): SyncError {
  const head = issues[0];
  const where = head ? ` (line ${head.line}, column ${head.column})` : "";
  return new SyncError("yaml_invalid", `The schedule file ${path} is invalid${where}: ${head?.message ?? "unknown error"}. Fix the file; nothing was changed.`, {
    details: { issues },
  });
}

/** A store failure as the sync reports it; anything else passes through unchanged. */
export function syncErrorOf(error: unknown, path: string): unknown {
  if (!(error instanceof YamlStoreError)) return error;
  switch (error.code) {
    case "invalid_file":
      return yamlInvalidError(error.issues ?? [], path);
    case "lock_timeout":
      return new SyncError("yaml_locked", `The schedule file is locked by another writer; try again. (${error.message})`, { cause: error });
    case "stale":
      return new SyncError("yaml_busy", "The schedule file kept changing during the sync; try again.", { cause: error });
    case "io":
      return ioError(error);
    case "lock_compromised":
      return new SyncError("yaml_locked", `The lock on the schedule file was lost while writing; nothing was written. Try again. (${error.message})`, { cause: error });
    case "invalid_result":
      return new SyncError("yaml_write_refused", `The change cannot be written to the schedule file: ${error.message}. Nothing was changed.`, {
        cause: error,
        details: error.issues ? { issues: error.issues } : undefined,
      });
    default:
      return new SyncError("yaml_write_failed", `Could not write the schedule file: ${error.message}`, { cause: error });
  }
}

/**
 * The file system refused (disk full, read-only, folder gone): an outside condition, not a bug,
 * with a code that names it. The transaction rolled back; nothing changed.
 */
function ioError(error: YamlStoreError): SyncError {
  const errno = (error.cause as NodeJS.ErrnoException | undefined)?.code;
  if (errno === "ENOSPC" || errno === "EDQUOT") {
    return new SyncError("yaml_disk_full", `No space left to write the schedule file; nothing was changed. (${error.message})`, { cause: error });
  }
  if (errno === "EROFS" || errno === "EACCES" || errno === "EPERM") {
    return new SyncError("yaml_read_only", `The schedule file's folder is read-only; nothing was changed. (${error.message})`, { cause: error });
  }
  return new SyncError("yaml_io_error", `The schedule file could not be read or written; nothing was changed. (${error.message})`, { cause: error });
}
