/** What a command may touch besides its arguments: passed in, so tests run the CLI in-process. */
export interface CliIo {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
  env: Record<string, string | undefined>;
  cwd: string;
  /** Reads all of standard input (`users add --password-stdin`); absent where there is none. */
  stdin?: () => Promise<string>;
}

/** Exit codes shared by every command (README "Command line"). */
export const EXIT = {
  /** Valid / in sync / no drift. */
  ok: 0,
  /** Drift or open conflicts. */
  attention: 1,
  /** Invalid input, usage error, or the command could not run. */
  error: 2,
} as const;
