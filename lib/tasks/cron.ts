import { CronExpressionParser } from "cron-parser";
import { boundedMemo } from "./bounded-memo";

/** Collapses runs of whitespace so `0  2 * * *` and `0 2 * * *` compare equal. */
export function normalizeCron(expr: string): string {
  return expr.trim().split(/\s+/).join(" ");
}

/**
 * Returns a human message when `expr` is not a 5- or 6-field cron expression
 * (6 fields put seconds first), or null when it is valid. Memoized: a parse costs ~0.1 ms
 * and a large schedule file repeats the same few expressions.
 */
export function cronError(expr: string, timezone = "UTC"): string | null {
  return memoCronError(`${timezone.length}:${timezone}${expr}`);
}

const memoCronError = boundedMemo(10_000, (key) => {
  const colon = key.indexOf(":");
  const end = colon + 1 + Number(key.slice(0, colon));
  return checkCron(key.slice(end), key.slice(colon + 1, end));
});

function checkCron(expr: string, timezone: string): string | null {
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
