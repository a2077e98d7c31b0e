import type { AppConfig } from "../lib/config/env";
import { CliError } from "./cli-error";
import type { CliIo } from "./cli-io";
import { createHttpBackend } from "./http-backend";
import { readAdminToken } from "./read-admin-token";
import type { SyncBackend } from "./sync-backend";

/**
 * Picks where `sync`, `diff` and `status` run. With DATABASE_URL (PostgreSQL) and no
 * `--url`, the CLI opens the database itself. Otherwise it talks to the running server:
 * PGlite's files belong to the one process that opened them.
 */
export async function openSyncBackend(options: { url?: string }, config: AppConfig, io: CliIo): Promise<SyncBackend> {
  if (!options.url && config.databaseUrl) {
    // Loaded only here: `check` and the HTTP path never pay for Prisma and pg.
    const { openDirectBackend } = await import("./direct-backend");
    return openDirectBackend(config, (message) => io.stderr.write(`schedule-sync: ${message}\n`));
  }
  const { url, source } = serverUrl(options.url, io.env, config.port);
  const { token, tokenSource } = await readAdminToken(config);
  return createHttpBackend({ url, urlSource: source, token, tokenSource, reason: config.databaseUrl ? "url" : "pglite" });
}

/** `--url`, else SCHEDULE_SYNC_URL, else http://localhost:$PORT (the server's default address). */
export function serverUrl(flag: string | undefined, env: CliIo["env"], port: number): { url: string; source: string } {
  const fromEnv = env.SCHEDULE_SYNC_URL?.trim();
  const [raw, source] = flag
    ? [flag, "--url"]
    : fromEnv
      ? [fromEnv, "SCHEDULE_SYNC_URL"]
      : [`http://localhost:${port || 3000}`, env.PORT ? "PORT" : "the default (PORT unset)"];
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new CliError("invalid_url", `${source} is not a URL: ${JSON.stringify(raw)} (expected e.g. http://localhost:3000)`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new CliError("invalid_url", `${source} must be an http:// or https:// URL, not ${parsed.protocol}`);
  }
  if (parsed.username || parsed.password) {
    throw new CliError("invalid_url", `${source} must not carry credentials; the CLI sends ADMIN_TOKEN (or DATA_DIR/admin-token) itself`);
  }
  parsed.search = "";
  parsed.hash = "";
  return { url: parsed.toString().replace(/\/+$/, ""), source };
}

