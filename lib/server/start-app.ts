import fs from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import next from "next";
import { loadAdminToken } from "../auth/admin-token";
import { createAuthenticator } from "../auth/authenticate";
import { createAuthProxy } from "../auth/auth-proxy";
import { createOidcSignIn } from "../auth/oidc";
import { createFailureLimiter } from "../auth/failure-limiter";
import { createSessionStore, credentialFingerprint } from "../auth/session-store";
import type { AppConfig } from "../config/env";
import { startCronSafetyNet, type CronSafetyNet } from "../live/cron-safety-net";
import { createClientAddress } from "../http/client-address";
import { createHostAllowlist } from "../http/host-allowlist";
import { createSocketServer } from "../live/socket-server";
import { watchScheduleFile, type ScheduleWatcher } from "../live/watch-schedule-file";
import { safeEqual } from "../auth/credentials";
import { createLogger, moduleLogger, type Logger } from "../log";
import { logRuns } from "../ops/log-runs";
import { createMetrics, type Metrics } from "../ops/metrics";
import { checkReadiness, migrationNames } from "../ops/readiness";
import { createRequestObserver } from "../ops/request-log";
import { startWebhookDispatcher } from "../webhooks/webhook-dispatcher";
import { createWebhookStore } from "../webhooks/webhook-store";
import { createCore } from "../core/create-core";
import { createPeopleStore } from "../people/people-store";
import { setServices, type AppServices } from "../core/services";
import { createFrontDoor } from "./front-door";

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
 * Wires the whole app: database and migrations, YAML store, sync engine, sessions, start-up
 * sync, Next.js and Socket.IO behind one front door on one port, file watcher and
 * cron safety net. server.ts only calls this and handles signals.
 */
export async function startApp({ config, dev, dir }: StartOptions): Promise<RunningApp> {
  const log = createLogger({ level: config.logLevel, format: config.logFormat, module: "server" });
  const syncLog = moduleLogger(log, "sync");
  const coreLog = moduleLogger(log, "core");
  const { token, generated } = await loadAdminToken(config.adminToken, config.dataDir);

  // From the project folder, not migrate.ts's default: bundled into the built server, that
  // module's own folder is the build folder.
  const migrationsDir = path.join(dir, "prisma", "migrations");
  const core = await createCore(config, {
    migrationsDir,
    // The engine prefixes its lines with "[sync] "; here the module field says it.
    log: (level, message) => (message.startsWith("[sync] ") ? syncLog[level](message.slice(7)) : coreLog[level](message)),
  });
  const { db, events, sync } = core;
  if (core.migrated.length) coreLog.info({ migrations: core.migrated }, `applied migrations: ${core.migrated.join(", ")}`);
  logRuns(core.observer, syncLog);
  const metrics: Metrics = createMetrics({ db, sync, observer: core.observer });
  // Before the start-up sync, whose events are deliveries like any other.
  const webhooks = createWebhookStore(db);
  await webhooks.syncEnv(config.webhooks.env);
  let listeningUrl = `http://localhost:${config.port}`;
  const dispatcher = startWebhookDispatcher({
    store: webhooks,
    events,
    observer: core.observer,
    log: moduleLogger(log, "webhooks"),
    baseUrl: () => config.publicUrl ?? listeningUrl,
    maxAttempts: config.webhooks.maxAttempts,
    retryBaseMs: config.webhooks.retryBaseMs,
    timeoutMs: config.webhooks.timeoutMs,
  });

  const sessions = createSessionStore({
    db,
    idleSeconds: config.session.idleSeconds,
    maxSeconds: config.session.maxSeconds,
    adminTokenFingerprint: credentialFingerprint(token),
  });
  const ended = await sessions.purge();
  if (ended) log.info(`ended ${ended} expired session(s) or session(s) of an earlier admin token`);
  const people = createPeopleStore({ db });
  const proxy = config.authProxy ? createAuthProxy(config.authProxy) : null;
  if (config.authProxy && config.authProxy.trusted.length === 0) log.warn("AUTH_PROXY_HEADER is set but AUTH_PROXY_TRUSTED is empty: no request may name its user");
  const auth = createAuthenticator({ adminToken: token, sessions, people, proxy });
  const limiterOptions = { limit: config.authFailures.limit, windowMs: config.authFailures.windowSeconds * 1000 };
  const hosts = createHostAllowlist({ publicUrl: config.publicUrl, extra: config.allowedHosts });
  if (hosts.open) log.warn("ALLOWED_HOSTS=*: any Host name is accepted, so a page on another name pointed at this machine (DNS rebinding) can reach it");
  let cronNet: CronSafetyNet | null = null;
  let watching = false;
  const expectedMigrations = migrationNames(migrationsDir);
  const services: AppServices = {
    config: core.config,
    db,
    storage: core.storage,
    store: core.store,
    events,
    sync,
    git: core.git,
    auth,
    sessions,
    people,
    signInFailures: createFailureLimiter(limiterOptions),
    oidc: config.oidc ? createOidcSignIn(config.oidc) : null,
    nextCronRun: () => cronNet?.nextRun() ?? null,
    startedAt: new Date(),
    ops: {
      readiness: () => checkReadiness({ db, expectedMigrations, file: config.scheduleConfigPath, watcherRunning: () => watching }),
      webhooks,
      dispatcher,
    },
  };
  setServices(services);

  // The watcher first: a hand edit saved while the server starts is a change like any other.
  // With SYNC_WATCH=off the file is still watched, but a change only tells the browsers (whose
  // pages then show the drift); cron or a person syncs it.
  const watcher: ScheduleWatcher = watchScheduleFile({
    // core.config: git mode may have moved the file into its clone.
    file: core.config.scheduleConfigPath,
    debounceMs: config.debounceMs,
    stableMs: config.stableMs,
    isKnown: (checksum) => sync.isKnownChecksum(checksum),
    onChange: async () => {
      // For save → applied latency: the save's own time, not when the watcher noticed it.
      const saved = await fs.stat(config.scheduleConfigPath).then((stat) => stat.mtimeMs, () => null);
      if (saved !== null) metrics.noteFileSaved(saved);
      return config.syncWatch ? sync.markDirty("watch") : sync.announce();
    },
    onError: (error) => moduleLogger(log, "watch").warn(`watching the schedule file: ${(error as Error).message}`),
  });
  await watcher.ready;
  watching = true;
  // Start-up sync before the port opens: once the app answers, the two sides agree (or the
  // status says why they could not, and the convergence loop keeps trying).
  await sync.refreshConflictCount();
  try {
    await sync.startup(); // its run is logged as every run is (logRuns)
  } catch (error) {
    syncLog.error(`start-up sync failed: ${(error as Error).message}`);
  }

  const nextApp = next({ dev, dir, hostname: "localhost", port: config.port });
  await nextApp.prepare();
  const handle = nextApp.getRequestHandler();
  const upgradeNext = dev ? nextApp.getUpgradeHandler() : null;

  let shuttingDown = false;
  const door = createFrontDoor({
    dev,
    allowedOrigins: config.allowedOrigins,
    publicUrl: config.publicUrl,
    hosts,
    clientAddress: createClientAddress(config.trustedProxies),
    auth,
    sessions,
    limiter: createFailureLimiter(limiterOptions),
    proxy,
    log: moduleLogger(log, "auth"),
    socket: {
      handleRequest: (req, res) => sockets.engine.handleRequest(req as never, res as never),
      handleUpgrade: (req, socket, head) => sockets.engine.handleUpgrade(req as never, socket as never, head),
    },
    next: { handle: (req, res) => handle(req, res), upgrade: upgradeNext ? (req, socket, head) => void upgradeNext(req, socket, head) : null },
    shuttingDown: () => shuttingDown,
    isMetricsToken: config.metricsToken ? (given) => safeEqual(given, config.metricsToken!) : undefined,
    metrics: async (req, res) => {
      const { contentType, body } = await metrics.scrape();
      res.writeHead(200, { "content-type": contentType, "cache-control": "no-store" }).end(req.method === "HEAD" ? undefined : body);
    },
    onRequest: createRequestObserver({ log: moduleLogger(log, "http"), metrics }),
  });
  const sockets = createSocketServer(events, db.pgPool, {
    admit: door.admitSocket,
    sessions,
    people,
    // Often enough that a socket outlives its session (ended on another instance, expired) briefly.
    recheckMs: Math.min(30_000, Math.max(500, config.session.idleSeconds * 250)),
  });
  const server = http.createServer((req, res) => void door.handleRequest(req, res));
  server.on("upgrade", (req, socket, head) => void door.handleUpgrade(req, socket, head));

  const background = (what: string) => (error: unknown) => syncLog.warn(`${what}: ${(error as Error).message}`);
  if (config.syncCron) {
    // Every instance's job fires; the engine runs one and skips the rest (see SyncEngine.run).
    cronNet = startCronSafetyNet(
      config.syncCron,
      (tick) => sync.run({ trigger: "cron", skipIfRanWithinMs: tick.periodMs / 2 }),
      background("scheduled sync failed"),
    );
  }

  // Git mode: commit after each write, fetch on an interval, merge and push (lib/git/git-sync.ts).
  core.git?.start();

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const url = `http://localhost:${port}`;
  listeningUrl = url;
  announce(log, url, token, generated, config);

  let closing: Promise<void> | null = null;
  return {
    url,
    services,
    close: () =>
      (closing ??= (async () => {
        shuttingDown = true;
        await cronNet?.stop();
        watching = false;
        await watcher.close();
        await sockets.close();
        // No new connections; idle keep-alive ones close now, requests in flight keep theirs.
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // A running sync finishes (bounded) before the database closes under it, and the
        // request that asked for it gets its answer instead of a reset connection (the
        // caller would not know whether its write landed).
        await Promise.race([sync.close(), delay(15_000)]);
        await Promise.race([stopped, delay(2_000)]);
        server.closeAllConnections();
        await stopped;
        // Work a request started before its connection was cut still runs: let it finish too.
        await Promise.race([sync.idle(), delay(15_000)]);
        await Promise.race([dispatcher.close(), delay(5_000)]);
        await nextApp.close().catch(() => undefined);
        await core.close();
        metrics.close();
        setServices(undefined);
      })()),
  };
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function announce(log: Logger, listening: string, token: string, generated: boolean, config: AppConfig) {
  log.info(`schedule-sync listening on ${listening} (db: ${config.databaseUrl ? "postgresql" : "pglite"}, file: ${config.scheduleConfigPath})`);
  const url = config.publicUrl ?? listening;
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
