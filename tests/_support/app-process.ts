import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { DbKind } from "@/lib/db/create-database";
import { createPostgresDatabase } from "./databases";
import { buildIsStale, serverArgs } from "../../scripts/build.mjs";

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const TEST_TOKEN = "test-admin-token-0123456789abcdef";

export interface AppProcess {
  url: string;
  dir: string;
  yamlPath: string;
  dataDir: string;
  databaseUrl: string | undefined;
  output(): string;
  /** fetch with the admin token and a same-origin Origin header. */
  api(pathname: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Stops the server and removes its folder (PGlite data, file, backups: ~40 MB), unless `dir` was given. */
  dispose(): Promise<void>;
  child: ChildProcess;
}

export interface AppProcessOptions {
  db: DbKind;
  env?: Record<string, string>;
  /** YAML written before start; omit for no file. */
  yaml?: string;
  /** Reuse a folder (restarts); a new temp folder otherwise. */
  dir?: string;
  databaseUrl?: string;
}

let buildChecked = false;

/** A stale build would test the previous code of the server, not the one being changed. */
function assertFreshBuild(): void {
  if (buildChecked) return;
  if (buildIsStale()) throw new Error("the build is missing or older than the sources: run `npm run build` first (`npm test` does)");
  buildChecked = true;
}

/**
 * Starts the real server (the build `npm run build` makes) in a child process on a free
 * port, with its own data folder, YAML file and database.
 */
export async function startAppProcess(options: AppProcessOptions): Promise<AppProcess> {
  assertFreshBuild();
  const dir = options.dir ?? (await fs.mkdtemp(path.join(os.tmpdir(), "schedule-sync-app-")));
  const yamlPath = path.join(dir, "config", "schedule_config.yml");
  const dataDir = path.join(dir, "data");
  await fs.mkdir(path.dirname(yamlPath), { recursive: true });
  if (options.yaml !== undefined) await fs.writeFile(yamlPath, options.yaml);
  let databaseUrl = options.databaseUrl;
  let dropDb: (() => Promise<void>) | null = null;
  if (options.db === "postgresql" && !databaseUrl) {
    const created = await createPostgresDatabase();
    databaseUrl = created.url;
    dropDb = created.drop;
  }
  const child = spawn(process.execPath, serverArgs(), {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      SCHEDULE_CONFIG_PATH: yamlPath,
      ADMIN_TOKEN: TEST_TOKEN,
      SYNC_CRON: "off",
      SYNC_DEBOUNCE_MS: "50",
      SYNC_STABLE_MS: "50",
      DATABASE_URL: databaseUrl ?? "",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${output}`));
    });
  });
  const origin = new URL(url).origin;
  const app: AppProcess = {
    url,
    dir,
    yamlPath,
    dataDir,
    databaseUrl,
    child,
    output: () => output,
    api: (pathname, init = {}) => {
      const { json, headers, ...rest } = init;
      return fetch(`${url}${pathname}`, {
        ...rest,
        headers: {
          authorization: `Bearer ${TEST_TOKEN}`,
          origin,
          ...(json !== undefined ? { "content-type": "application/json" } : {}),
          ...headers,
        },
        body: json !== undefined ? JSON.stringify(json) : rest.body,
      });
    },
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      const code = await exited;
      clearTimeout(timer);
      if (dropDb && !options.databaseUrl) await dropDb().catch(() => undefined);
      return code;
    },
    dispose: async () => {
      await app.stop();
      if (!options.dir) await fs.rm(dir, { recursive: true, force: true });
    },
  };
  return app;
}
