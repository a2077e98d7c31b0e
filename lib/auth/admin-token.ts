import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";

/**
 * The admin token: ADMIN_TOKEN when set, otherwise one generated on first start and
 * kept in DATA_DIR/admin-token (mode 0600) so restarts keep existing sessions valid.
 */
export async function loadAdminToken(configured: string | undefined, dataDir: string): Promise<{ token: string; generated: boolean }> {
  if (configured) return { token: configured, generated: false };
  const file = path.join(dataDir, "admin-token");
  try {
    const saved = (await fs.readFile(file, "utf8")).trim();
    if (saved.length >= 32) return { token: saved, generated: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  await fs.mkdir(dataDir, { recursive: true });
  const token = randomBytes(32).toString("base64url");
  // wx: two instances starting together on one DATA_DIR must agree on one token.
  try {
    await fs.writeFile(file, `${token}\n`, { mode: 0o600, flag: "wx" });
    return { token, generated: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return { token: (await fs.readFile(file, "utf8")).trim(), generated: false };
  }
}
