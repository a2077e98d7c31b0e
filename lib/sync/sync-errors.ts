import { AppError } from "../api/errors";
import type { YamlIssue } from "../yaml";

export function yamlInvalidError(issues: YamlIssue[], path: string): AppError {
  const head = issues[0];
  const where = head ? ` (line ${head.line}, column ${head.column})` : "";
  return new AppError(
    409,
    "yaml_invalid",
    `The schedule file ${path} is invalid${where}: ${head?.message ?? "unknown error"}. Fix the file; nothing was changed.`,
    { issues },
  );
}
