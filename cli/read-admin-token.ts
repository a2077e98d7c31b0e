import fs from "node:fs/promises";
import path from "node:path";
import type { AppConfig } from "../lib/config/env";
import { CliError } from "./cli-error";

/** The server's rule (lib/auth/admin-token.ts) read-only: ADMIN_TOKEN, else DATA_DIR/admin-token. The CLI never creates one. */
export async function readAdminToken(config: AppConfig): Promise<{ token: string | null; tokenSource: string }> {
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
