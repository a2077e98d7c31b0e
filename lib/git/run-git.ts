import { execFile } from "node:child_process";

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunGitOptions {
  cwd: string;
  /** The whole environment of the git process (default: this process's). */
  env?: Record<string, string | undefined>;
  /** Written to git's stdin (e.g. `git hash-object --stdin`). */
  input?: string;
  timeoutMs?: number;
}

/**
 * Runs the system `git` (execFile: no shell, arguments never interpreted) and resolves with
 * its exit code and output; a nonzero exit is a result, not an error. Rejects only when git
 * cannot be started or is killed by the timeout.
 */
export function runGit(args: readonly string[], opts: RunGitOptions): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      "git",
      args,
      {
        cwd: opts.cwd,
        env: (opts.env ?? process.env) as NodeJS.ProcessEnv,
        maxBuffer: 256 * 1024 * 1024,
        timeout: opts.timeoutMs ?? 120_000,
        encoding: "utf8",
      },
      (error, stdout, stderr) => {
        if (error && typeof (error as { code?: unknown }).code !== "number") {
          reject(error);
          return;
        }
        resolve({ code: error ? ((error as { code: number }).code) : 0, stdout, stderr });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}
