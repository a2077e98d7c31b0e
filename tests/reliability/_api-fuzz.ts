import fc from "fast-check";
import { expect } from "vitest";
import type { AppProcess } from "../_support/app-process";
import { convergenceViolations, type SyncSnapshot } from "../_support/invariants";

/**
 * fast-check fuzzing of every API route against a running server (hostile-input.test.ts on
 * PostgreSQL, api-fuzz.stress.ts with more runs and PGlite): methods, path params, query
 * strings, bodies (valid tasks with text that is hard for YAML, near-valid and garbage
 * ones, 2 MiB) and content types. Every answer must be JSON (or empty for HEAD/204), never a
 * 5xx or a hang; a refused request must change nothing; an accepted write must leave
 * YAML == DB == base.
 */

/** Tasks, base and open conflicts (not the run log, which a refused sync appends to). */
export function dataOf(s: SyncSnapshot) {
  return { db: [...s.db.values()], base: s.base ? [...s.base.values()] : null, open: s.open.map((c) => c.taskId) };
}

const UUID = "00000000-0000-4000-8000-000000000000";
const ROUTES: { path: (id: string, uuid: string) => string; methods: string[] }[] = [
  { path: () => "/api/tasks", methods: ["GET", "POST"] },
  { path: (id) => `/api/tasks/${id}`, methods: ["GET", "PUT", "PATCH", "DELETE"] },
  { path: (id) => `/api/tasks/${id}/history`, methods: ["GET"] },
  { path: (id) => `/api/tasks/${id}/revert`, methods: ["POST"] },
  { path: () => "/api/sync/status", methods: ["GET"] },
  { path: () => "/api/sync/trigger", methods: ["POST"] },
  { path: () => "/api/sync/conflicts", methods: ["GET"] },
  { path: (_, uuid) => `/api/sync/conflicts/${uuid}`, methods: ["GET"] },
  { path: (_, uuid) => `/api/sync/conflicts/${uuid}/resolve`, methods: ["POST"] },
  { path: () => "/api/sync/runs", methods: ["GET"] },
  { path: (_, uuid) => `/api/sync/runs/${uuid}`, methods: ["GET"] },
  { path: () => "/api/auth/logout", methods: ["POST"] },
  { path: () => "/api/health", methods: ["GET"] },
];

/** Strings that have broken parsers, YAML writers and file paths before. */
const nasty = fc.constantFrom(
  "",
  " ",
  "0",
  "-1",
  "1e3",
  "0x1F",
  "true",
  "null",
  "~",
  "- item",
  "key: value",
  "# comment",
  "&anchor",
  "*alias",
  "!!binary",
  "'",
  '"',
  "\\",
  "{}",
  "[]",
  "|",
  ">",
  "---",
  "...",
  "a\nb",
  "a\r\nb",
  "line\rbreak",
  "tab\there",
  "\u0085nel",
  "\u2028ls",
  "\uFEFFbom",
  "\u0000nul",
  "\u0007bell",
  "\ud800lone",
  "emoji 🧨",
  "عربى",
  "../../etc/passwd",
  "%2e%2e%2f",
  "C:\\Windows",
  "__proto__",
  "constructor",
  "x".repeat(5000),
  "0 2 * * *",
  "*/5 * * * * *",
  "0 2 * * * * *",
  "@daily",
  "UTC",
  "Europe/Berlin",
  "Etc/GMT+14",
  "America/Argentina/ComodRivadavia",
);
const anyValue = fc.oneof(nasty, fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.oneof(nasty, fc.string()), { maxLength: 40 }), fc.object({ maxDepth: 2 }));
const taskBody = fc.record(
  {
    id: fc.oneof(fc.constantFrom("daily-backup", "hourly-health", "fuzz-task", "fuzz-2"), fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,70}$/), nasty),
    name: fc.oneof(fc.string({ minLength: 1, maxLength: 220 }), nasty, anyValue),
    schedule: fc.oneof(fc.constantFrom("0 2 * * *", "*/5 * * * *", "0 0 1 1 *", "30 4 * * 1-5", "0 0 * * * *"), nasty, anyValue),
    timezone: fc.oneof(fc.constantFrom("UTC", "Europe/Berlin", "Asia/Kolkata"), nasty, anyValue),
    command: fc.oneof(fc.string({ minLength: 1, maxLength: 300 }), nasty, anyValue),
    enabled: fc.oneof(fc.boolean(), anyValue),
    description: fc.oneof(fc.constant(null), fc.string({ maxLength: 300 }), nasty, anyValue),
    tags: fc.oneof(fc.array(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,10}$/), { maxLength: 5 }), fc.array(nasty, { maxLength: 3 }), anyValue),
    version: fc.oneof(fc.nat(10), fc.integer(), anyValue),
    resolution: fc.oneof(fc.constantFrom("keep_yaml", "keep_db", "merge"), nasty),
    direction: fc.oneof(fc.constantFrom("bidirectional", "yaml_to_db", "db_to_yaml"), nasty),
    dryRun: fc.oneof(fc.constant(true), anyValue),
    force: anyValue,
    changeId: fc.oneof(fc.stringMatching(/^\d{1,19}$/), nasty),
    path: fc.constantFrom("/etc/passwd", "../../outside.yml", "/tmp/evil.yml"),
  },
  { requiredKeys: [] },
);
/** Bodies that pass validation but carry text that is hard to round-trip through YAML. */
const text = (max: number) => fc.oneof(nasty, fc.string({ minLength: 1, maxLength: max }), fc.string({ unit: "binary", minLength: 1, maxLength: 40 })).filter((t) => t.trim().length > 0 && t.length <= max);
const validTask = fc.record(
  {
    id: fc.oneof(fc.constantFrom("daily-backup", "hourly-health", "weekly-report", "fuzz-task"), fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,20}$/)),
    name: text(200),
    schedule: fc.constantFrom("0 2 * * *", "*/5 * * * *", "0  0 1 1 *", " 30 4 * * 1-5 ", "0 0 * * * *", "0 12 * * MON"),
    timezone: fc.constantFrom("UTC", "Europe/Berlin", "Asia/Kolkata", "America/New_York"),
    command: text(4096),
    enabled: fc.boolean(),
    description: fc.oneof(fc.constant(null), fc.constant(""), text(2000)),
    tags: fc.uniqueArray(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,10}$/), { maxLength: 5 }),
  },
  { requiredKeys: ["id", "name", "schedule", "command"] },
);
const rawBody = fc.oneof(
  { weight: 6, arbitrary: validTask.map((b) => JSON.stringify(b)) },
  { weight: 3, arbitrary: taskBody.map((b) => JSON.stringify(b)) },
  { weight: 2, arbitrary: fc.json() },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom("{", "[", '{"a":', "nul", "\u0000", "{}{}", '{"name": "\\ud800"}', "[".repeat(100_000), '{"__proto__":{"enabled":false},"constructor":{"prototype":{"polluted":1}}}'),
  },
  { weight: 1, arbitrary: fc.constant(`{"command":"${"c".repeat(2 * 1024 * 1024)}"}`) },
);
export const request = fc.record({
  route: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(ROUTES[0]!, ROUTES[1]!) }, { weight: 2, arbitrary: fc.constantFrom(...ROUTES) }),
  /** Mostly a method the route has; sometimes any. */
  method: fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD") }),
  methodIndex: fc.nat(),
  id: fc.oneof({ weight: 3, arbitrary: fc.constantFrom("daily-backup", "hourly-health", "weekly-report", "fuzz-task", "nope") }, { weight: 1, arbitrary: nasty }, { weight: 1, arbitrary: fc.string({ maxLength: 80 }) }),
  uuid: fc.oneof(fc.constant(UUID), fc.uuid(), nasty),
  query: fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.dictionary(fc.oneof(fc.constantFrom("version", "limit", "offset", "status", "q", "tag", "before", "changed", "path", "file"), fc.string({ maxLength: 8 })), fc.oneof(nasty, fc.string({ maxLength: 20 }))) }),
  body: fc.option(rawBody, { nil: undefined, freq: 8 }),
  /** PUT and PATCH take the id from the path: usually leave it out of the body. */
  dropId: fc.boolean(),
  contentType: fc.constantFrom("application/json", "application/json", "application/json", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", undefined),
});

/** Counts for the scenario summary: requests sent, refused ones that changed something, accepted ones that broke YAML == DB == base. */
export interface FuzzTally {
  requests: number;
  refusedButChanged: number;
  violations: number;
}

/** Pass `tally` to keep the counts when the property fails (it throws at the first failure). */
export async function fuzzApi(app: AppProcess, read: () => Promise<SyncSnapshot>, options: { runs: number; seed: number; tally?: FuzzTally }) {
  const statuses = new Map<number, number>();
  let accepted = 0;
  const tally = options.tally ?? { requests: 0, refusedButChanged: 0, violations: 0 };
  const counting = (counter: "refusedButChanged" | "violations", check: () => void) => {
    try {
      check();
    } catch (error) {
      tally[counter]++;
      throw error;
    }
  };
  await fc.assert(
    fc.asyncProperty(request, async (r) => {
      const method = r.method ?? r.route.methods[r.methodIndex % r.route.methods.length]!;
      const query = new URLSearchParams(r.query).toString();
      const segment = (text: string) => encodeURIComponent((text as string & { toWellFormed(): string }).toWellFormed());
      const url = `${r.route.path(segment(r.id), segment(r.uuid))}${query ? `?${query}` : ""}`;
      let body = r.body;
      if (body && r.dropId && (method === "PUT" || method === "PATCH")) {
        try {
          const { id: _id, ...rest } = JSON.parse(body) as Record<string, unknown>;
          body = JSON.stringify(rest);
        } catch {
          // not an object: send as is
        }
      }
      const before = await read();
      tally.requests++;
      const res = await app.api(url, {
        method,
        body: method === "GET" || method === "HEAD" ? undefined : body,
        headers: r.contentType ? { "content-type": r.contentType } : {},
        signal: AbortSignal.timeout(20_000),
      });
      const text = await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const where = `${method} ${url.slice(0, 120)} body ${String(body).slice(0, 160)} → ${res.status} ${text.slice(0, 200)}`;
      expect(res.status, where).toBeLessThan(500);
      if (method !== "HEAD" && res.status !== 204) {
        let parsed: { error?: { code?: unknown; message?: unknown } } | null = null;
        try {
          parsed = JSON.parse(text);
        } catch {
          throw new Error(`not JSON: ${where}`);
        }
        if (res.status >= 400) {
          expect(typeof parsed?.error?.code, where).toBe("string");
          expect(typeof parsed?.error?.message, where).toBe("string");
        }
      }
      const after = await read();
      if (res.status >= 400 || method === "GET" || method === "HEAD" || method === "OPTIONS") {
        counting("refusedButChanged", () => {
          expect(dataOf(after), `a refused or read-only request changed data: ${where}`).toEqual(dataOf(before));
          expect(after.yamlText, `a refused or read-only request changed the file: ${where}`).toBe(before.yamlText);
        });
      } else {
        accepted++;
        counting("violations", () => expect(convergenceViolations(after), `after ${where}`).toEqual([]));
      }
    }),
    { numRuns: options.runs, seed: options.seed, endOnFailure: true },
  );
  return { statuses: Object.fromEntries(statuses), accepted };
}
