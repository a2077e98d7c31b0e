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
  SYNC_DEBOUNCE_MS: z.coerce.number().int().min(0).max(60_000).default(100),
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
  debounceMs: number;
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
    debounceMs: e.SYNC_DEBOUNCE_MS,
    adminToken: e.ADMIN_TOKEN,
    logLevel: e.LOG_LEVEL,
    yamlMaxBytes: e.YAML_MAX_BYTES,
    yamlBackups: e.YAML_BACKUPS,
    allowedOrigins: e.ALLOWED_ORIGINS.split(",").map((o) => o.trim()).filter(Boolean),
  };
}
