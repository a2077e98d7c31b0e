import path from "node:path";
import type { YamlIssue } from "../lib/yaml";

/**
 * Compiler-style lines (`file:line:column: message`) that editors and CI annotate;
 * an issue not tied to a position (line 0) prints as `file: message`.
 */
export function formatIssues(file: string, issues: readonly YamlIssue[]): string {
  return issues.map((issue) => (issue.line > 0 ? `${file}:${issue.line}:${issue.column}: ${issue.message}` : `${file}: ${issue.message}`)).join("\n");
}

/** A path as the user would type it: relative when under `cwd`, absolute otherwise. */
export function displayPath(file: string, cwd: string): string {
  const absolute = path.resolve(cwd, file);
  const relative = path.relative(cwd, absolute);
  return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : absolute;
}
