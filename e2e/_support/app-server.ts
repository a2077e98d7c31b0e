import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { serverArgs } from "../../scripts/build.mjs";

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const E2E_TOKEN = "e2e-admin-token-0123456789abcdef";

export interface AppServer {
  url: string;
  dir: string;
  yamlPath: string;
  log(): string;
  /** fetch with the admin token and a same-origin Origin header. */
  api<T = unknown>(pathname: string, init?: { method?: string; json?: unknown }): Promise<{ status: number; body: T }>;
  readYaml(): Promise<string>;
  writeYaml(text: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the real server (the build `npm run build` makes) on a free port with its own
 * temp folder: data dir, YAML file, PGlite database. Nothing is shared between specs and
 * nothing is left behind.
 */
export async function startAppServer(options: { yaml: string; env?: Record<string, string> }): Promise<AppServer> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "schedule-sync-e2e-"));
  const yamlPath = path.join(dir, "config", "schedule_config.yml");
  await fs.mkdir(path.dirname(yamlPath), { recursive: true });
  await fs.writeFile(yamlPath, options.yaml);

  const child: ChildProcess = spawn(process.execPath, serverArgs(), {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: path.join(dir, "data"),
      SCHEDULE_CONFIG_PATH: yamlPath,
      DATABASE_URL: "",
      ADMIN_TOKEN: E2E_TOKEN,
      SYNC_CRON: "off",
      SYNC_DEBOUNCE_MS: "50",
      LOG_LEVEL: "info",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start within 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        // The server listens on 127.0.0.1 only; "localhost" may resolve to ::1 first.
        resolve(match[1].replace("//localhost:", "//127.0.0.1:"));
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code} before listening:\n${output}`));
    });
  });
  const origin = new URL(url).origin;

  return {
    url,
    dir,
    yamlPath,
    log: () => output,
    async api<T>(pathname: string, init: { method?: string; json?: unknown } = {}) {
      const res = await fetch(`${url}${pathname}`, {
        method: init.method ?? (init.json === undefined ? "GET" : "POST"),
        headers: {
          authorization: `Bearer ${E2E_TOKEN}`,
          origin,
          ...(init.json === undefined ? {} : { "content-type": "application/json" }),
        },
        body: init.json === undefined ? undefined : JSON.stringify(init.json),
      });
      return { status: res.status, body: (await res.json().catch(() => null)) as T };
    },
    readYaml: () => fs.readFile(yamlPath, "utf8"),
    async writeYaml(text: string) {
      // Like an editor's save: write a sibling file, then rename over the original.
      const temp = path.join(path.dirname(yamlPath), `.edit-${process.pid}-${Date.now()}`);
      await fs.writeFile(temp, text);
      await fs.rename(temp, yamlPath);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
        await exited;
        clearTimeout(killer);
      }
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
