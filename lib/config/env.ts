import net from "node:net";
import path from "node:path";
import { z } from "zod";
import type { OidcConfig } from "../auth/oidc";
import { envWebhooksSchema, type EnvWebhook } from "../webhooks/webhook-schema";

const booleanish = z
  .enum(["true", "false", "on", "off", "1", "0", "yes", "no"])
  .transform((v) => ["true", "on", "1", "yes"].includes(v));

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("0.0.0.0"),
  DATABASE_URL: z.string().url().optional().or(z.literal("").transform(() => undefined)),
  DATA_DIR: z.string().default("./data"),
  SCHEDULE_CONFIG_PATH: z.string().default("config/schedule_config.yml"),
  SYNC_CRON: z.string().default("*/5 * * * *"),
  SYNC_WATCH: booleanish.default(true),
  SYNC_AUTO_MERGE: booleanish.default(true),
  /** "<count>,<percent>%": a run deleting more than both on one side holds those deletions; "off" disables. */
  SYNC_DELETE_GUARD: z
    .string()
    .default("10,25%")
    .transform((value, ctx) => {
      if (value.trim() === "off") return null;
      const match = /^\s*(\d+)\s*,\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(value);
      if (!match || Number(match[2]) > 100) {
        ctx.addIssue({ code: "custom", message: `expected "<count>,<percent>%" (e.g. "10,25%") or "off", not ${JSON.stringify(value)}` });
        return z.NEVER;
      }
      return { count: Number(match[1]), fraction: Number(match[2]) / 100 };
    }),
  SYNC_DEBOUNCE_MS: z.coerce.number().int().min(0).max(60_000).default(100),
  /** File revisions kept for lineage and restores (also never older than 30 days; issue #17). */
  SYNC_REVISIONS: z.coerce.number().int().min(1).max(100_000).default(200),
  /** A changed file is read once no one has written it for this long. */
  SYNC_STABLE_MS: z.coerce.number().int().min(0).max(60_000).default(100),
  ADMIN_TOKEN: z
    .string()
    .min(16, "ADMIN_TOKEN must be at least 16 characters")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  /** json (default in production) or pretty (default otherwise). */
  LOG_FORMAT: z.enum(["json", "pretty"]).optional().or(z.literal("").transform(() => undefined)),
  NODE_ENV: z.string().optional(),
  /** A token that may read GET /metrics and nothing else (the admin token may too). */
  METRICS_TOKEN: z
    .string()
    .min(16, "METRICS_TOKEN must be at least 16 characters")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  YAML_MAX_BYTES: z.coerce.number().int().positive().default(5 * 1024 * 1024),
  YAML_BACKUPS: z.coerce.number().int().min(0).max(1000).default(5),
  /** Public origin(s) allowed for mutations besides the request's own host, comma-separated. */
  ALLOWED_ORIGINS: z.string().default(""),
  /** The address people open, behind a proxy: its host is allowed and its origin may mutate. */
  PUBLIC_URL: z
    .string()
    .url()
    .refine((url) => /^https?:$/.test(new URL(url).protocol), "PUBLIC_URL must be an http(s) URL")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  /** Host names allowed besides the local ones and PUBLIC_URL's, comma-separated; `*` allows any. */
  ALLOWED_HOSTS: z.string().default(""),
  /** Proxies (addresses or CIDR ranges, comma-separated) whose X-Forwarded-For names the client. */
  TRUSTED_PROXIES: z
    .string()
    .default("")
    .refine((list) => splitList(list).every(isAddressOrRange), "TRUSTED_PROXIES must list IP addresses or CIDR ranges (10.0.0.0/8, ::1)"),
  /** Decimals allowed (tests use seconds). */
  SESSION_IDLE_MINUTES: z.coerce.number().positive().default(12 * 60),
  SESSION_MAX_DAYS: z.coerce.number().positive().default(7),
  AUTH_FAILURE_LIMIT: z.coerce.number().int().min(1).default(10),
  AUTH_FAILURE_WINDOW_SECONDS: z.coerce.number().positive().default(60),
  // People (issue #18): the trusted auth proxy. The header names the user; only requests whose
  // direct peer is in AUTH_PROXY_TRUSTED may carry it.
  AUTH_PROXY_HEADER: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9-]*$/, "AUTH_PROXY_HEADER must be a header name (e.g. X-Forwarded-Email)")
    .default(""),
  AUTH_PROXY_TRUSTED: z
    .string()
    .default("")
    .refine((list) => splitList(list).every(isAddressOrRange), "AUTH_PROXY_TRUSTED must list IP addresses or CIDR ranges"),
  AUTH_PROXY_DEFAULT_ROLE: z.enum(["viewer", "editor", "admin"]).default("viewer"),
  // People (issue #18): OpenID Connect sign-in.
  OIDC_ISSUER: z.string().url().optional().or(z.literal("").transform(() => undefined)),
  OIDC_CLIENT_ID: z.string().default(""),
  OIDC_CLIENT_SECRET: z.string().optional().or(z.literal("").transform(() => undefined)),
  OIDC_SCOPES: z.string().default("openid email profile"),
  OIDC_USERNAME_CLAIM: z.string().default("email"),
  OIDC_ROLE_CLAIM: z.string().default(""),
  /** "<claim value>=<role>,…", e.g. "ops-admins=admin,ops=editor". */
  OIDC_ROLE_MAP: z
    .string()
    .default("")
    .refine((list) => splitList(list).every((pair) => /^[^=]+=(viewer|editor|admin)$/.test(pair)), "OIDC_ROLE_MAP must list <value>=<viewer|editor|admin>, comma-separated"),
  OIDC_DEFAULT_ROLE: z.enum(["viewer", "editor", "admin"]).default("viewer"),
  /** Outgoing webhooks configured by the environment: a JSON array of {url, secret, events?, format?, name?}. */
  WEBHOOKS: envWebhooksSchema,
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(10),
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(2000),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** Git mode (README "Git mode"): the file's folder is a work tree; server writes are commits. */
  GIT_SYNC: booleanish.default(false),
  /** Cloned into DATA_DIR/git when the file's folder is not a work tree; else the work tree's `origin`. */
  GIT_REMOTE: z.string().optional().or(z.literal("").transform(() => undefined)),
  /** The branch to follow (default: the work tree's current branch). */
  GIT_BRANCH: z.string().optional().or(z.literal("").transform(() => undefined)),
  /** The schedule file inside a clone made from GIT_REMOTE. */
  GIT_FILE: z.string().default("config/schedule_config.yml"),
  /** Seconds between fetches; 0 fetches only on the webhook. Decimals allowed (tests). */
  GIT_FETCH_INTERVAL: z.coerce.number().min(0).default(60),
  /** How a moved remote comes in: a merge commit, or the local commits replayed on top of it. */
  GIT_PULL: z.enum(["merge", "rebase"]).default("merge"),
  GIT_PUSH: booleanish.default(false),
  /** Push to this branch instead (a side branch, for review by pull request). */
  GIT_PUSH_BRANCH: z.string().optional().or(z.literal("").transform(() => undefined)),
  /** Shared secret of POST /api/git/webhook (GitHub's signature or GitLab's token). Unset: the webhook is off. */
  GIT_WEBHOOK_SECRET: z.string().min(16, "GIT_WEBHOOK_SECRET must be at least 16 characters").optional().or(z.literal("").transform(() => undefined)),
  GIT_AUTHOR_NAME: z.string().default("schedule-sync (admin token)"),
  GIT_AUTHOR_EMAIL: z.string().default("schedule-sync@localhost"),
});

export interface AppConfig {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  scheduleConfigPath: string;
  /** null when SYNC_CRON=off */
  syncCron: string | null;
  syncWatch: boolean;
  autoMerge: boolean;
  /** null when SYNC_DELETE_GUARD=off */
  deleteGuard: { count: number; fraction: number } | null;
  debounceMs: number;
  stableMs: number;
  /** SYNC_REVISIONS: how many file revisions are kept (and none older than 30 days). */
  revisions: number;
  adminToken: string | undefined;
  logLevel: "debug" | "info" | "warn" | "error" | "silent";
  logFormat: "json" | "pretty";
  /** METRICS_TOKEN: reads /metrics only. */
  metricsToken: string | undefined;
  yamlMaxBytes: number;
  yamlBackups: number;
  /** ALLOWED_ORIGINS and PUBLIC_URL's origin. */
  allowedOrigins: string[];
  /** PUBLIC_URL, without a trailing slash. */
  publicUrl: string | undefined;
  /** Extra Host names (exact, or `*.example.com`); `["*"]` turns the check off. */
  allowedHosts: string[];
  trustedProxies: string[];
  session: { idleSeconds: number; maxSeconds: number };
  /** Failed token attempts per client address allowed within the window before 429. */
  authFailures: { limit: number; windowSeconds: number };
  /** The trusted auth proxy (issue #18); null when AUTH_PROXY_HEADER is unset. */
  authProxy: { header: string; trusted: string[]; defaultRole: "viewer" | "editor" | "admin" } | null;
  /** OpenID Connect sign-in (issue #18); null when OIDC_ISSUER is unset. */
  oidc: OidcConfig | null;
  /** Outgoing webhooks (issue #21): those of WEBHOOKS, and how deliveries retry. */
  webhooks: { env: EnvWebhook[]; maxAttempts: number; retryBaseMs: number; timeoutMs: number };
  git: GitConfig;
}

export interface GitConfig {
  enabled: boolean;
  remote: string | undefined;
  branch: string | undefined;
  file: string;
  fetchIntervalMs: number;
  pull: "merge" | "rebase";
  push: boolean;
  pushBranch: string | undefined;
  webhookSecret: string | undefined;
  author: { name: string; email: string };
}

/** Reads and validates the environment once; throws with every bad variable named. */
export function loadConfig(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const cron = e.SYNC_CRON.trim();
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(cwd, e.DATA_DIR),
    scheduleConfigPath: path.resolve(cwd, e.SCHEDULE_CONFIG_PATH),
    syncCron: cron === "off" || cron === "" ? null : cron,
    syncWatch: e.SYNC_WATCH,
    autoMerge: e.SYNC_AUTO_MERGE,
    deleteGuard: e.SYNC_DELETE_GUARD,
    debounceMs: e.SYNC_DEBOUNCE_MS,
    stableMs: e.SYNC_STABLE_MS,
    revisions: e.SYNC_REVISIONS,
    adminToken: e.ADMIN_TOKEN,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT ?? (e.NODE_ENV === "production" ? "json" : "pretty"),
    metricsToken: e.METRICS_TOKEN,
    yamlMaxBytes: e.YAML_MAX_BYTES,
    yamlBackups: e.YAML_BACKUPS,
    // PUBLIC_URL is where people open the app, so its origin may send mutations too.
    allowedOrigins: [...splitList(e.ALLOWED_ORIGINS), ...(e.PUBLIC_URL ? [new URL(e.PUBLIC_URL).origin] : [])],
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ""),
    allowedHosts: splitList(e.ALLOWED_HOSTS).map((host) => host.toLowerCase()),
    trustedProxies: splitList(e.TRUSTED_PROXIES),
    session: { idleSeconds: e.SESSION_IDLE_MINUTES * 60, maxSeconds: e.SESSION_MAX_DAYS * 86_400 },
    authFailures: { limit: e.AUTH_FAILURE_LIMIT, windowSeconds: e.AUTH_FAILURE_WINDOW_SECONDS },
    authProxy: e.AUTH_PROXY_HEADER
      ? { header: e.AUTH_PROXY_HEADER.toLowerCase(), trusted: splitList(e.AUTH_PROXY_TRUSTED), defaultRole: e.AUTH_PROXY_DEFAULT_ROLE }
      : null,
    oidc: e.OIDC_ISSUER
      ? {
          issuer: e.OIDC_ISSUER,
          clientId: e.OIDC_CLIENT_ID,
          clientSecret: e.OIDC_CLIENT_SECRET,
          scopes: e.OIDC_SCOPES,
          usernameClaim: e.OIDC_USERNAME_CLAIM,
          roleClaim: e.OIDC_ROLE_CLAIM || null,
          roleMap: Object.fromEntries(splitList(e.OIDC_ROLE_MAP).map((pair) => [pair.slice(0, pair.lastIndexOf("=")).trim(), pair.slice(pair.lastIndexOf("=") + 1) as "viewer" | "editor" | "admin"])),
          defaultRole: e.OIDC_DEFAULT_ROLE,
        }
      : null,
    webhooks: { env: e.WEBHOOKS, maxAttempts: e.WEBHOOK_MAX_ATTEMPTS, retryBaseMs: e.WEBHOOK_RETRY_BASE_MS, timeoutMs: e.WEBHOOK_TIMEOUT_MS },
    git: {
      enabled: e.GIT_SYNC,
      remote: e.GIT_REMOTE,
      branch: e.GIT_BRANCH,
      file: e.GIT_FILE,
      fetchIntervalMs: Math.round(e.GIT_FETCH_INTERVAL * 1000),
      pull: e.GIT_PULL,
      push: e.GIT_PUSH,
      pushBranch: e.GIT_PUSH_BRANCH,
      webhookSecret: e.GIT_WEBHOOK_SECRET,
      author: { name: e.GIT_AUTHOR_NAME, email: e.GIT_AUTHOR_EMAIL },
    },
  };
}

function splitList(list: string): string[] {
  return list.split(",").map((item) => item.trim()).filter(Boolean);
}

function isAddressOrRange(entry: string): boolean {
  const [address, bits, ...rest] = entry.split("/");
  const family = net.isIP(address ?? "");
  if (family === 0 || rest.length > 0) return false;
  return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}
