import { loadConfig, type AppConfig } from "../lib/config/env";
import { CliError } from "./cli-error";
import type { CliIo } from "./cli-io";

/** The server's own environment rules (lib/config/env.ts), with a bad variable reported as a CLI error. */
export function loadCliConfig(io: CliIo): AppConfig {
  try {
    return loadConfig(io.env as NodeJS.ProcessEnv, io.cwd);
  } catch (error) {
    throw new CliError("invalid_environment", (error as Error).message, { cause: error });
  }
}
