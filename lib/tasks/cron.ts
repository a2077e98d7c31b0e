import { CronExpressionParser } from "cron-parser";
import { boundedMemo } from "./bounded-memo";
import { explainCronError } from "./explain-cron-error";

/**
 * The nicknames vixie cron accepts, as the 5-field expressions they stand for. `@reboot` is
 * not a schedule (it fires when a machine starts), so it stays refused.
 */
export const CRON_MACROS: Readonly<Record<string, string>> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

/**
 * Collapses runs of whitespace so `0  2 * * *` and `0 2 * * *` compare equal, and writes a
 * nickname as its 5-field form (`@daily` → `0 0 * * *`): both sides of the sync store the
 * normalized value, so a nickname written in the YAML reads back identical from the DB.
 */
export function normalizeCron(expr: string): string {
  const collapsed = expr.trim().split(/\s+/).join(" ");
  const nickname = collapsed.toLowerCase();
  // Own keys only: `constructor` or `__proto__` must not find Object.prototype's members.
  return Object.hasOwn(CRON_MACROS, nickname) ? CRON_MACROS[nickname]! : collapsed;
}

/**
 * Returns a message in plain words when `expr` is not a 5- or 6-field cron expression
 * (6 fields put seconds first), e.g. "minute 61 is out of range 0–59", or null when it is
 * valid. Memoized: a parse costs ~0.1 ms and a large schedule file repeats the same few
 * expressions. The time zone is checked separately (`isValidTimezone`).
 */
export function cronError(expr: string): string | null {
  return memoCronError(expr);
}

const memoCronError = boundedMemo(10_000, (expr) => checkCron(expr));

function checkCron(expr: string): string | null {
  const normalized = normalizeCron(expr);
  const fields = normalized.split(" ");
  if (normalized.startsWith("@")) {
    return normalized.toLowerCase() === "@reboot"
      ? "@reboot runs when a machine starts, which is not a schedule; use a time instead"
      : `unknown nickname "${normalized}"; use @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly`;
  }
  if (fields.length !== 5 && fields.length !== 6) {
    return `expected 5 fields (minute hour day-of-month month weekday) or 6 with seconds first, got ${fields[0] === "" ? 0 : fields.length}`;
  }
  const parse = (text: string) => CronExpressionParser.parse(text, { tz: "UTC", strict: false });
  try {
    parse(normalized);
    return null;
  } catch (error) {
    return explainCronError(fields, error instanceof Error ? error.message : String(error), (text) => {
      try {
        parse(text);
        return null;
      } catch (inner) {
        return inner instanceof Error ? inner.message : String(inner);
      }
    });
  }
}

/** The next `count` run times of a valid expression, in its timezone. */
export function nextRuns(expr: string, timezone: string, count: number, from = new Date()): Date[] {
  const interval = CronExpressionParser.parse(normalizeCron(expr), { tz: timezone, currentDate: from });
  return interval.take(count).map((date) => date.toDate());
}
