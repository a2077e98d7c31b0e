import net from "node:net";
import path from "node:path";
import { z } from "zod";

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
    yamlMaxBytes: e.YAML_MAX_BYTES,
    yamlBackups: e.YAML_BACKUPS,
    // PUBLIC_URL is where people open the app, so its origin may send mutations too.
    allowedOrigins: [...splitList(e.ALLOWED_ORIGINS), ...(e.PUBLIC_URL ? [new URL(e.PUBLIC_URL).origin] : [])],
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ""),
    allowedHosts: splitList(e.ALLOWED_HOSTS).map((host) => host.toLowerCase()),
    trustedProxies: splitList(e.TRUSTED_PROXIES),
    session: { idleSeconds: e.SESSION_IDLE_MINUTES * 60, maxSeconds: e.SESSION_MAX_DAYS * 86_400 },
    authFailures: { limit: e.AUTH_FAILURE_LIMIT, windowSeconds: e.AUTH_FAILURE_WINDOW_SECONDS },
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
