import { formatYamlIssue, type YamlIssue } from "./parse/yaml-issue";

export type YamlStoreErrorCode =
  /** `expectedChecksum` did not match the file on disk. */
  | "stale"
  /** The file on disk does not parse or validate; it is never overwritten. */
  | "invalid_file"
  /** The lock could not be taken within the bounded retries. */
  | "lock_timeout"
  /** The lock was lost while writing (held past its stale time, or taken over); nothing was renamed. */
  | "lock_compromised"
  /** The patch (or the text it would produce) is not a valid schedule. */
  | "invalid_result"
  | "io";

export class YamlStoreError extends Error {
  override name = "YamlStoreError";
  readonly code: YamlStoreErrorCode;
  readonly issues?: YamlIssue[];

  constructor(code: YamlStoreErrorCode, message: string, options?: { issues?: YamlIssue[]; cause?: unknown }) {
    const headline = options?.issues?.[0];
    super(headline && !message.includes(headline.message) ? `${message}: ${formatYamlIssue(headline)}` : message, {
      cause: options?.cause,
    });
    this.code = code;
    if (options?.issues) this.issues = options.issues;
  }
}
