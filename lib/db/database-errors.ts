/**
 * Tells a lost or refused database connection (PostgreSQL restarting, failing over, killing
 * our backend, too many clients) from a real bug, so the API can answer 503 "try again"
 * instead of a bare 500. Prisma wraps the driver's error a few levels deep (meta,
 * driverAdapterError, cause), so the whole chain is searched.
 */
const SQLSTATE_UNAVAILABLE = /^(08\w{3}|57P0[1-3]|53300)$/;
/** 55000 (object not in prerequisite state) is only "unavailable" as the refusal of a connection. */
const NOT_ACCEPTING = /not currently accepting connections/i;
const ERRNO_UNAVAILABLE = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH"]);
const PRISMA_UNAVAILABLE = new Set(["P1001", "P1002", "P1008", "P1017"]);
const MESSAGE_UNAVAILABLE =
  /Connection terminated|terminating connection|connection (?:refused|reset)|timeout exceeded when trying to connect|Can't reach database|not queryable|the database system is (?:starting up|shutting down)/i;

export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number): boolean => {
    if (typeof value !== "object" || value === null || seen.has(value) || depth > 6) return false;
    seen.add(value);
    const record = value as Record<string, unknown>;
    for (const key of ["code", "originalCode"]) {
      const code = record[key];
      if (typeof code === "string" && (SQLSTATE_UNAVAILABLE.test(code) || ERRNO_UNAVAILABLE.has(code) || PRISMA_UNAVAILABLE.has(code))) return true;
      if (code === "55000" && NOT_ACCEPTING.test(String(record.message ?? record.originalMessage ?? ""))) return true;
    }
    for (const key of ["message", "originalMessage"]) {
      const message = record[key];
      if (typeof message === "string" && MESSAGE_UNAVAILABLE.test(message)) return true;
    }
    return ["cause", "meta", "driverAdapterError", "errors"].some((key) => {
      const next = record[key];
      return Array.isArray(next) ? next.some((item) => visit(item, depth + 1)) : visit(next, depth + 1);
    });
  };
  return visit(error, 0);
}
