import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import path from "node:path";
import next from "next";
import { loadAdminToken } from "../auth/admin-token";
import { gateRequest, type GateRequest } from "../auth/request-gate";
import { sessionCookie } from "../auth/credentials";
import type { AppConfig } from "../config/env";
import { createDatabase } from "../db/create-database";
import { migrate } from "../db/migrate";
import { createEventBus } from "../events/event-bus";
import { startCronSafetyNet, type CronSafetyNet } from "../live/cron-safety-net";
import { createSocketServer, isSocketPath } from "../live/socket-server";
import { watchScheduleFile, type ScheduleWatcher } from "../live/watch-schedule-file";
import { createLogger } from "../log";
import { createSyncEngine } from "../sync/sync-engine";
import type { PlanSummary, SideChangeCounts } from "../sync/summarize-plan";
import { createScheduleStore } from "../yaml";
import { isDecodablePath, jsonApiErrors } from "./json-api-errors";
import { setServices, type AppServices } from "./registry";

export interface StartOptions {
  config: AppConfig;
  dev: boolean;
  /** Folder of the Next.js app (the repository root). */
  dir: string;
}

export interface RunningApp {
  url: string;
  services: AppServices;
  close(): Promise<void>;
}

/**
 * Wires the whole app: database and migrations, YAML store, sync engine, start-up
 * sync, Next.js and Socket.IO behind one auth gate on one port, file watcher and
 * cron safety net. server.ts only calls this and handles signals.
 */
export async function startApp({ config, dev, dir }: StartOptions): Promise<RunningApp> {
  const log = createLogger(config.logLevel);
  const { token, generated } = await loadAdminToken(config.adminToken, config.dataDir);

  const db = await createDatabase({ databaseUrl: config.databaseUrl, pgliteDir: path.join(config.dataDir, "pglite") });
  // From the project folder, not migrate.ts's default: bundled into the built server, that
  // module's own folder is the build folder.
  const applied = await migrate(db, path.join(dir, "prisma", "migrations"));
  if (applied.length) log.info(`applied migrations: ${applied.join(", ")}`);

  const store = createScheduleStore({
    path: config.scheduleConfigPath,
    backupDir: path.join(config.dataDir, "backups"),
    keepBackups: config.yamlBackups,
    maxBytes: config.yamlMaxBytes,
  });
  const events = createEventBus();
  const sync = createSyncEngine({
    db,
    store,
    events,
    autoMerge: config.autoMerge,
    log: (level, message) => log[level](`[sync] ${message}`),
  });
  let cronNet: CronSafetyNet | null = null;
  const services: AppServices = {
    config,
    db,
    store,
    events,
    sync,
    adminToken: token,
    nextCronRun: () => cronNet?.nextRun() ?? null,
    startedAt: new Date(),
  };
  setServices(services);

  // Start-up sync before the port opens: once the app answers, the two sides agree
  // (or the status says why they could not).
  await sync.refreshConflictCount();
  try {
    const result = await sync.run({ trigger: "startup" });
    log.info(`start-up sync: ${describeRun(result.counts)}`);
  } catch (error) {
    log.error(`start-up sync failed: ${(error as Error).message}`);
  }

  const nextApp = next({ dev, dir, hostname: "localhost", port: config.port });
  await nextApp.prepare();
  const handle = nextApp.getRequestHandler();
  const upgradeNext = dev ? nextApp.getUpgradeHandler() : null;
  const sockets = createSocketServer(events, db.pgPool);

  const gate = (req: IncomingMessage): ReturnType<typeof gateRequest> =>
    gateRequest(toGateRequest(req), token, config.allowedOrigins);

  let shuttingDown = false;
  const server = http.createServer((req, res) => {
    if (shuttingDown) {
      // A keep-alive client may still send on its open connection: refuse new work so that
      // nothing starts after the last sync the shutdown waits for.
      res.setHeader("connection", "close");
      return sendError(res, 503, "shutting_down", "The server is shutting down; try again in a moment");
    }
    if (!isDecodablePath(req.url)) return sendError(res, 400, "bad_request", "Malformed %-escape in the request path");
    const decision = gate(req);
    if (decision.action === "deny") return sendError(res, decision.status, decision.code, decision.message);
    const url = new URL(req.url ?? "/", "http://localhost");
    if (decision.action === "login") {
      res.writeHead(303, { location: `/login?next=${encodeURIComponent(url.pathname + url.search)}` }).end();
      return;
    }
    if (url.pathname === "/login" && url.searchParams.has("token")) return loginFromUrl(req, res, url, token);
    if (isSocketPath(req)) return sockets.engine.handleRequest(req as never, res as never);
    if (url.pathname.startsWith("/api/")) jsonApiErrors(res);
    handle(req, res).catch((error) => {
      log.error(`request failed: ${(error as Error).message}`);
      if (!res.headersSent) sendError(res, 500, "internal_error", "Internal server error");
    });
  });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const decision = gate(req);
    if (decision.action !== "pass") {
      const status = decision.action === "deny" ? decision.status : 401;
      socket.end(`HTTP/1.1 ${status} ${status === 403 ? "Forbidden" : "Unauthorized"}\r\nConnection: close\r\n\r\n`);
      return;
    }
    if (isSocketPath(req)) return sockets.engine.handleUpgrade(req as never, socket as never, head);
    if (upgradeNext) return void upgradeNext(req, socket, head);
    socket.destroy();
  });

  let watcher: ScheduleWatcher | null = null;
  const background = (what: string) => (error: unknown) => log.warn(`${what}: ${(error as Error).message}`);
  if (config.syncWatch) {
    watcher = watchScheduleFile({
      file: config.scheduleConfigPath,
      debounceMs: config.debounceMs,
      isKnown: (checksum) => sync.isKnownChecksum(checksum),
      onChange: () => sync.run({ trigger: "watch" }),
      onError: background("sync after file change failed"),
    });
    await watcher.ready;
  }
  if (config.syncCron) {
    // Every instance's job fires; the engine runs one and skips the rest (see SyncEngine.run).
    cronNet = startCronSafetyNet(
      config.syncCron,
      (tick) => sync.run({ trigger: "cron", skipIfRanWithinMs: tick.periodMs / 2 }),
      background("scheduled sync failed"),
    );
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const url = `http://localhost:${port}`;
  announce(log, url, token, generated, config);

  let closing: Promise<void> | null = null;
  return {
    url,
    services,
    close: () =>
      (closing ??= (async () => {
        shuttingDown = true;
        await cronNet?.stop();
        await watcher?.close();
        await sockets.close();
        // No new connections; idle keep-alive ones close now, requests in flight keep theirs.
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // A running sync finishes (bounded) before the database closes under it, and the
        // request that asked for it gets its answer instead of a reset connection (the
        // caller would not know whether its write landed).
        await Promise.race([sync.idle(), delay(15_000)]);
        await Promise.race([stopped, delay(2_000)]);
        server.closeAllConnections();
        await stopped;
        // Work a request started before its connection was cut still runs: let it finish too.
        await Promise.race([sync.idle(), delay(15_000)]);
        await nextApp.close().catch(() => undefined);
        await db.close();
        setServices(undefined);
      })()),
  };
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function toGateRequest(req: IncomingMessage): GateRequest {
  const url = new URL(req.url ?? "/", "http://localhost");
  const encrypted = (req.socket as { encrypted?: boolean }).encrypted === true;
  return {
    method: req.method ?? "GET",
    pathname: url.pathname,
    headers: req.headers as GateRequest["headers"],
    protocol: encrypted || req.headers["x-forwarded-proto"] === "https" ? "https" : "http",
  };
}

/** Jupyter-style `/login?token=…`: sets the session cookie and drops the token from the address bar. */
function loginFromUrl(req: IncomingMessage, res: ServerResponse, url: URL, token: string) {
  const given = url.searchParams.get("token") ?? "";
  const headers = { authorization: `Bearer ${given}` };
  if (gateRequest({ ...toGateRequest(req), pathname: "/api/check", headers }, token).action !== "pass") {
    res.writeHead(303, { location: "/login?error=invalid_token" }).end();
    return;
  }
  const secure = toGateRequest(req).protocol === "https";
  res.writeHead(303, { "set-cookie": sessionCookie(token, secure), location: sameSitePath(url.searchParams.get("next")) }).end();
}

/** `next` as a path on this site, or "/": browsers read `/\evil.example` as `//evil.example`, so resolve it as they do. */
function sameSitePath(target: string | null): string {
  const base = "http://same.invalid";
  if (!target?.startsWith("/")) return "/";
  try {
    const resolved = new URL(target, base);
    return resolved.origin === base ? `${resolved.pathname}${resolved.search}${resolved.hash}` : "/";
  } catch {
    return "/";
  }
}

function sendError(res: ServerResponse, status: number, code: string, message: string) {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ error: { code, message } }));
}

function describeRun(counts: PlanSummary) {
  const sum = (c: SideChangeCounts) => c.create + c.update + c.delete;
  return `${counts.inSync} in sync, ${sum(counts.toDb)} written to DB, ${sum(counts.toYaml)} written to YAML, ${counts.merged} merged, ${counts.conflicts} conflicts`;
}

function announce(log: ReturnType<typeof createLogger>, url: string, token: string, generated: boolean, config: AppConfig) {
  log.info(`schedule-sync listening on ${url} (db: ${config.databaseUrl ? "postgresql" : "pglite"}, file: ${config.scheduleConfigPath})`);
  if (config.adminToken) {
    log.info(`log in at ${url}/login with ADMIN_TOKEN`);
  } else if (process.stdout.isTTY) {
    // Only to an interactive terminal: log files and CI output never get the token.
    console.log(`\n  Open ${url}/login?token=${token}\n`);
  } else {
    // Logs never get the token: the link without it, and the command that prints it.
    const tokenFile = path.join(config.dataDir, "admin-token");
    const env = config.dataDir === path.resolve("data") ? "" : `DATA_DIR=${config.dataDir} `;
    log.info(`log in at ${url}/login with the token in ${tokenFile}${generated ? " (generated now)" : ""}; \`${env}npx schedule-sync token --url ${url}\` prints the login link`);
  }
}
