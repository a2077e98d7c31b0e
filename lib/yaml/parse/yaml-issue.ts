/** Why a schedule file was refused. `line`/`column` are 1-based; 0 means "not in the file". */
export type YamlIssueCode =
  | "syntax"
  | "duplicate_key"
  | "unknown_field"
  | "invalid_task"
  | "invalid_id"
  | "too_large"
  | "alias_limit"
  | "too_deep"
  | "not_utf8"
  | "bad_structure"
  | "unsupported_version"
  /** Git's conflict markers (`<<<<<<<`, `=======`, `>>>>>>>`): a merge nobody finished. */
  | "merge_conflict";

export interface YamlIssue {
  code: YamlIssueCode;
  message: string;
  line: number;
  column: number;
  /** Where in the data the issue is, e.g. `["tasks", "daily-backup", "schedule"]`. */
  path?: (string | number)[];
}

/** One line for logs and status bars: `line 4, column 15: tasks.x.schedule is not a valid cron expression: …`. */
export function formatYamlIssue(issue: YamlIssue): string {
  return issue.line > 0 ? `line ${issue.line}, column ${issue.column}: ${issue.message}` : issue.message;
}
