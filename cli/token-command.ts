import { CliError } from "./cli-error";
import { EXIT, type CliIo } from "./cli-io";
import { loadCliConfig } from "./load-cli-config";
import { readAdminToken } from "./read-admin-token";

/**
 * `token`: prints the admin token the server uses (ADMIN_TOKEN, else the one it generated in
 * DATA_DIR/admin-token), so the login link the server's log leaves out can be completed.
 * With `--url`, prints the whole `…/login?token=…` link instead. Never creates a token.
 */
export async function tokenCommand(options: { url?: string; json: boolean }, io: CliIo): Promise<number> {
  const config = loadCliConfig(io);
  const { token, tokenSource } = await readAdminToken(config);
  if (!token) {
    throw new CliError("no_token", `no admin token yet: ${tokenSource} does not exist. Start the server once (npm start); it creates the token there.`);
  }
  const link = options.url ? `${options.url.replace(/\/+$/, "")}/login?token=${encodeURIComponent(token)}` : null;
  if (options.json) io.stdout.write(`${JSON.stringify({ token, source: tokenSource, ...(link ? { loginUrl: link } : {}) }, null, 2)}\n`);
  else io.stdout.write(`${link ?? token}\n`);
  return EXIT.ok;
}
