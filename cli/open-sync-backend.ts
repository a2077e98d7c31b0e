import fs from "node:fs/promises";
import path from "node:path";
import type { AppConfig } from "../lib/config/env";
import { CliError } from "./cli-error";
import type { CliIo } from "./cli-io";
import { createHttpBackend } from "./http-backend";
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
  const { token, tokenSource } = await adminToken(config);
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

/** The server's rule (lib/auth/admin-token.ts) read-only: ADMIN_TOKEN, else DATA_DIR/admin-token. The CLI never creates one. */
async function adminToken(config: AppConfig): Promise<{ token: string | null; tokenSource: string }> {
  if (config.adminToken) return { token: config.adminToken, tokenSource: "ADMIN_TOKEN" };
  const file = path.join(config.dataDir, "admin-token");
  try {
    const token = (await fs.readFile(file, "utf8")).trim();
    return { token: token || null, tokenSource: file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { token: null, tokenSource: file };
    throw new CliError("token_unreadable", `cannot read the admin token file ${file}: ${(error as Error).message}`, { cause: error });
  }
}
