export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** A levelled logger writing one line per message; nothing here ever formats a secret. */
export function createLogger(level: LogLevel, scope = "schedule-sync"): Logger {
  const at = (wanted: LogLevel, write: (line: string) => void) => (message: string) => {
    if (ORDER[wanted] >= ORDER[level]) write(`${new Date().toISOString()} ${wanted.toUpperCase().padEnd(5)} [${scope}] ${message}`);
  };
  return {
    debug: at("debug", (l) => console.log(l)),
    info: at("info", (l) => console.log(l)),
    warn: at("warn", (l) => console.warn(l)),
    error: at("error", (l) => console.error(l)),
  };
}
