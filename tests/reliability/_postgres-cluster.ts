import { execFileSync } from "node:child_process";
import fs from "node:fs";

/**
 * The local PostgreSQL cluster that pg-restart.stress.ts restarts. `ensurePostgresUp` is
 * called after that suite and again when the stress run ends (vitest.stress.config.ts), so
 * a restart that failed half-way, or a run that died in between, never leaves the machine
 * without its database.
 */
export const clusterVersion: string | undefined = fs.existsSync("/etc/postgresql") ? fs.readdirSync("/etc/postgresql")[0] : undefined;

export function canRestartCluster(): boolean {
  try {
    execFileSync("pg_lsclusters", [], { stdio: "pipe" });
    return clusterVersion !== undefined && process.getuid?.() === 0;
  } catch {
    return false;
  }
}

export function restartCluster(): void {
  execFileSync("pg_ctlcluster", ["--skip-systemctl-redirect", clusterVersion!, "main", "restart", "-m", "fast"], { stdio: "pipe" });
}

function ready(): boolean {
  try {
    execFileSync("pg_isready", ["-h", "127.0.0.1", "-p", "5432", "-q"], { stdio: "pipe" });
    return true;
  } catch {
    return false;
  }
}

/** Starts the cluster if it does not answer, and waits (bounded) until it does. */
export async function ensurePostgresUp(timeoutMs = 60_000): Promise<void> {
  if (clusterVersion === undefined || ready()) return;
  const deadline = Date.now() + timeoutMs;
  // A cluster that is still shutting down refuses `start`; try again until the deadline.
  for (;;) {
    try {
      execFileSync("pg_ctlcluster", ["--skip-systemctl-redirect", clusterVersion, "main", "start"], { stdio: "pipe" });
    } catch {
      // already starting, or still stopping
    }
    if (ready()) return;
    if (Date.now() > deadline) throw new Error(`PostgreSQL ${clusterVersion}/main is not up ${timeoutMs} ms after the stress run: start it with pg_ctlcluster ${clusterVersion} main start`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
