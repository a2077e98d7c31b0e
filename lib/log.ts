import pino from "pino";
import pretty from "pino-pretty";

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";
export type LogFormat = "json" | "pretty";

/**
 * A pino logger: `log.info("text")`, or `log.info({ field: 1 }, "text")` for a structured line.
 * Each module asks for its own child (`log.child({ module: "sync" })`), so every line says
 * where it comes from.
 */
export type Logger = pino.Logger;

/**
 * Paths pino blanks in any object logged, in case a caller ever logs one that holds a
 * credential (request logs never include headers; this is the second line).
 */
export const REDACTED_PATHS = [
  "token",
  "secret",
  "password",
  "authorization",
  "cookie",
  "*.token",
  "*.secret",
  "*.password",
  "*.authorization",
  "*.cookie",
  "headers.authorization",
  "headers.cookie",
  "req.headers.authorization",
  "req.headers.cookie",
];

export interface LoggerOptions {
  level: LogLevel;
  /** json: one JSON object per line (production default); pretty: pino-pretty, for people (development). */
  format?: LogFormat;
  /** The root's `module` field; children set their own. */
  module?: string;
  /** Where lines go; default stdout, written synchronously (a crash loses no line). */
  destination?: pino.DestinationStream;
}

/** The JSON/pretty choice when LOG_FORMAT is not set: JSON in production, pretty otherwise. */
export function defaultLogFormat(nodeEnv: string | undefined): LogFormat {
  return nodeEnv === "production" ? "json" : "pretty";
}

/**
 * The process's logger. JSON lines carry `level` as a word, `time` as ISO 8601, `module`, `msg`
 * and any fields; `pid` and `hostname` are left out (the platform's log shipper adds its own).
 */
export function createLogger(levelOrOptions: LogLevel | LoggerOptions, module = "schedule-sync"): Logger {
  const options: LoggerOptions = typeof levelOrOptions === "string" ? { level: levelOrOptions, module } : levelOrOptions;
  const format = options.format ?? defaultLogFormat(process.env.NODE_ENV);
  const destination =
    options.destination ??
    (format === "pretty"
      ? pretty({ destination: 1, sync: true, colorize: process.stdout.isTTY === true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname" })
      : pino.destination({ dest: 1, sync: true }));
  const root = pino(
    {
      level: options.level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    },
    destination,
  );
  const logger = root.child({ module: options.module ?? module });
  roots.set(logger, root);
  return logger;
}

const roots = new WeakMap<Logger, Logger>();

/** A module's own logger, a child of the same root: every line it writes says `module` (once). */
export function moduleLogger(parent: Logger, module: string): Logger {
  const child = (roots.get(parent) ?? parent).child({ module });
  roots.set(child, roots.get(parent) ?? parent);
  return child;
}
