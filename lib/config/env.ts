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
  adminToken: string | undefined;
  logLevel: "debug" | "info" | "warn" | "error" | "silent";
  yamlMaxBytes: number;
  yamlBackups: number;
  allowedOrigins: string[];
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
    adminToken: e.ADMIN_TOKEN,
    logLevel: e.LOG_LEVEL,
    yamlMaxBytes: e.YAML_MAX_BYTES,
    yamlBackups: e.YAML_BACKUPS,
    allowedOrigins: e.ALLOWED_ORIGINS.split(",").map((o) => o.trim()).filter(Boolean),
  };
}
