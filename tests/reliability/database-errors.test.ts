import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "@/lib/db/database-errors";

describe("isDatabaseUnavailable", () => {
  it.each([
    ["Prisma's wrapper of a terminated backend", { code: "P2010", meta: { driverAdapterError: { cause: { originalCode: "57P01", kind: "postgres" } } } }],
    ["a refused connection", Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" })],
    ["pg's lost connection", new Error("Connection terminated unexpectedly")],
    ["a connection exception class", { code: "08006" }],
    ["too many clients", { cause: { code: "53300" } }],
    ["a database refusing connections (ALLOW_CONNECTIONS false)", { code: "55000", message: 'database "x" is not currently accepting connections' }],
  ])("recognizes %s", (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ["a unique violation", { code: "P2010", meta: { driverAdapterError: { cause: { originalCode: "23505" } } } }],
    ["a plain bug", new TypeError("x is not a function")],
    ["55000 for something other than a connection", { code: "55000", message: "cannot refresh materialized view concurrently" }],
    ["nothing", null],
  ])("does not mistake %s for an outage", (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
