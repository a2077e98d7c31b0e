import { CronExpressionParser } from "cron-parser";

/** Collapses runs of whitespace so `0  2 * * *` and `0 2 * * *` compare equal. */
export function normalizeCron(expr: string): string {
  return expr.trim().split(/\s+/).join(" ");
}

/**
 * Returns a human message when `expr` is not a 5- or 6-field cron expression
 * (6 fields put seconds first), or null when it is valid.
 */
export function cronError(expr: string, timezone = "UTC"): string | null {
  const fields = normalizeCron(expr).split(" ");
  if (fields.length !== 5 && fields.length !== 6) {
    return `expected 5 or 6 fields, got ${fields[0] === "" ? 0 : fields.length}`;
  }
  try {
    CronExpressionParser.parse(fields.join(" "), { tz: timezone, strict: false });
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** The next `count` run times of a valid expression, in its timezone. */
export function nextRuns(expr: string, timezone: string, count: number, from = new Date()): Date[] {
  const interval = CronExpressionParser.parse(normalizeCron(expr), { tz: timezone, currentDate: from });
  return interval.take(count).map((date) => date.toDate());
}
