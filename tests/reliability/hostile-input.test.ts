import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSchedule } from "@/lib/yaml";
import { startAppProcess, type AppProcess } from "../_support/app-process";
import { backup, health, report, yamlOf } from "../_support/engine-harness";
import { convergenceViolations, snapshot, taskMapDifferences } from "../_support/invariants";
import { crashLines, json, pgReader, syncNow } from "./_app";
import { dataOf, fuzzApi, type FuzzTally } from "./_api-fuzz";
import { counted, scenarioSummaries } from "./_summary";

/**
 * Issue #7, hostile and bad input, against a real server: files no one should write
 * (malformed, duplicate keys, YAML bombs, 50 MiB, binary, wrong encoding, a symlink swapped in,
 * bad cron and zones, oversize fields) and API requests fuzzed with fast-check. A bad file
 * is refused quickly with its line and column, never overwritten, and never deletes
 * anything from the DB; every API answer is JSON, never a 500 or a hang, and a refused
 * request changes nothing.
 */

const GOOD = yamlOf({ "daily-backup": backup, "hourly-health": health, "weekly-report": report }, "# hand-kept file\n");
const SECRET = `hunter2-${randomBytes(6).toString("hex")}`;

let app: AppProcess;
let reader: ReturnType<typeof pgReader>;

beforeAll(async () => {
  app = await startAppProcess({ db: "postgresql", yaml: GOOD, env: { SYNC_WATCH: "off", LOG_LEVEL: "debug" } });
  reader = pgReader(app.databaseUrl!);
}, 180_000);
afterAll(async () => {
  await reader?.close();
  await app?.dispose();
});

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

describe("hostile schedule files", { timeout: 120_000 }, () => {
  const scenario = scenarioSummaries();
  const row = scenario("postgresql server: hostile schedule files (malformed, bombs, 50 MiB, binary, encodings, bad fields, a deleted file, symlinks)");
  let finished = 0;
  const bomb = (() => {
    let text = "version: 1\ntasks: {}\nmetadata:\n  checksum: x\nlol:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
    for (const [prev, next] of ["ab", "bc", "cd", "de", "ef", "fg", "gh", "hi"].map((p) => p.split(""))) {
      text += `  ${next}: &${next} [${Array(9).fill(`*${prev}`).join(", ")}]\n`;
    }
    return text;
  })();
  const manyAliases = `version: 1\ntasks:\n  a:\n    name: &n A\n    schedule: "0 * * * *"\n    command: x\n    tags: [${Array.from({ length: 40_000 }, () => "*n").join(", ")}]\n`;
  const task = (fields: Record<string, unknown>) => yamlOf({ "daily-backup": { ...backup, ...fields }, "hourly-health": health });

  const cases: { name: string; bytes: () => Buffer; code: string; at?: { line: number } }[] = [
    { name: "malformed YAML (unclosed flow map)", bytes: () => Buffer.from("version: 1\ntasks:\n  daily-backup: {name: x\n"), code: "syntax" },
    { name: "a duplicate task id", bytes: () => Buffer.from(`${GOOD}  daily-backup:\n    name: again\n    schedule: "0 1 * * *"\n    command: x\n`), code: "duplicate_key" },
    { name: "a duplicate field", bytes: () => Buffer.from(GOOD.replace("    name: \"Daily backup\"\n", "    name: \"Daily backup\"\n    name: \"Twice\"\n")), code: "duplicate_key", at: { line: 6 } },
    { name: "a billion-laughs alias bomb", bytes: () => Buffer.from(bomb), code: "alias_limit" },
    { name: "40,000 aliases of one anchor (quadratic to resolve)", bytes: () => Buffer.from(manyAliases), code: "alias_limit" },
    { name: "4 MiB of nested flow sequences", bytes: () => Buffer.from(`version: 1\ntasks: {}\nx: ${"[".repeat(4 * 1024 * 1024)}`), code: "too_deep", at: { line: 3 } },
    { name: "2 MiB of stacked block entries", bytes: () => Buffer.from(`version: 1\ntasks: {}\nx:\n  ${"- ".repeat(1024 * 1024)}1\n`), code: "too_deep", at: { line: 4 } },
    { name: "a 50 MiB file", bytes: () => Buffer.concat([Buffer.from(GOOD), Buffer.alloc(50 * 1024 * 1024, "# padding padding padding padding\n")]), code: "too_large", at: { line: 1 } },
    { name: "binary garbage", bytes: () => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00]), randomBytes(4096)]), code: "not_utf8", at: { line: 1 } },
    { name: "UTF-16 with a byte-order mark", bytes: () => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(GOOD, "utf16le")]), code: "not_utf8", at: { line: 1 } },
    { name: "Latin-1 text", bytes: () => Buffer.from(task({ name: "Sauvegarde nocturne caf\xe9" }), "latin1"), code: "not_utf8", at: { line: 5 } },
    { name: "an invalid cron expression", bytes: () => Buffer.from(task({ schedule: "61 25 * * *" })), code: "invalid_task", at: { line: 6 } },
    { name: "a 4-field cron expression", bytes: () => Buffer.from(task({ schedule: "* * * *" })), code: "invalid_task", at: { line: 6 } },
    { name: "an unknown time zone", bytes: () => Buffer.from(task({ timezone: "Mars/Olympus_Mons" })), code: "invalid_task" },
    { name: "a 10,000-character name", bytes: () => Buffer.from(task({ name: "n".repeat(10_000) })), code: "invalid_task" },
    { name: "a 100 KiB command", bytes: () => Buffer.from(task({ command: "c".repeat(100 * 1024) })), code: "invalid_task" },
    { name: "a 10,000-character description", bytes: () => Buffer.from(task({ description: "d".repeat(10_000) })), code: "invalid_task" },
    { name: "500 tags", bytes: () => Buffer.from(task({ tags: Array.from({ length: 500 }, (_, i) => `t${i}`) })), code: "invalid_task" },
    { name: "an escaped NUL in a name (PostgreSQL cannot store it)", bytes: () => Buffer.from(task({ name: "nul\0here" })), code: "invalid_task", at: { line: 5 } },
    { name: "an escaped lone surrogate in a command", bytes: () => Buffer.from(task({ command: "broken \ud800 text" })), code: "invalid_task", at: { line: 7 } },
    { name: "an unknown field", bytes: () => Buffer.from(task({ owner: "root" })), code: "unknown_field" },
    { name: "an empty file", bytes: () => Buffer.from(""), code: "bad_structure" },
    { name: "a list at the top", bytes: () => Buffer.from("- version: 1\n- tasks: {}\n"), code: "bad_structure" },
    { name: "version 2", bytes: () => Buffer.from(GOOD.replace("version: 1", "version: 2")), code: "unsupported_version" },
    { name: "tasks as a list", bytes: () => Buffer.from("version: 1\ntasks:\n  - name: x\n"), code: "bad_structure" },
  ];

  it.each(cases)("refuses $name quickly with its position, overwrites nothing, deletes nothing", async ({ bytes, code, at }) => {
    await fs.writeFile(app.yamlPath, GOOD);
    await syncNow(app);
    const before = await snapshot(reader, app.yamlPath);
    const content = bytes();
    row.injected++;
    await fs.writeFile(app.yamlPath, content);
    row.ops += 2;

    const { value: res, ms } = await timed(() => app.api("/api/sync/trigger", { method: "POST", json: {}, signal: AbortSignal.timeout(20_000) }));
    const body = await json<{ error: { code: string; message: string; details: { issues: { code: string; line: number; column: number }[] } } }>(res);
    expect(res.status, JSON.stringify(body).slice(0, 300)).toBe(409);
    expect(body.error.code).toBe("yaml_invalid");
    const issue = body.error.details.issues[0]!;
    expect(issue.code, body.error.message).toBe(code);
    if (at) expect(issue.line).toBe(at.line);
    expect(body.error.message).toMatch(/line \d+, column \d+/);
    expect(ms, "the refusal takes under 5 s (a bomb must not stall the server)").toBeLessThan(5_000);

    // An API write is refused too, before anything changes.
    const write = await app.api("/api/tasks/daily-backup", { method: "PATCH", json: { enabled: false } });
    expect(write.status).toBe(409);
    expect((await json<{ error: { code: string } }>(write)).error.code).toBe("yaml_invalid");
    // Health names the error to a caller with credentials, and tells a stranger only that the file is invalid (issue #14).
    const healthBody = await json<{ yaml: { valid: boolean; error?: string } }>(await app.api("/api/health"));
    expect(healthBody.yaml.valid).toBe(false);
    expect(healthBody.yaml.error).toMatch(/line \d+/);
    expect(await json(await fetch(`${app.url}/api/health`))).toMatchObject({ yaml: { valid: false } });
    expect(await json(await fetch(`${app.url}/api/health`))).not.toHaveProperty("yaml.error");

    const fileAfter = await fs.readFile(app.yamlPath);
    counted(row, "corrupt", () => expect(fileAfter.equals(content), "the bad file is never overwritten").toBe(true));
    const dataAfter = dataOf(await snapshot(reader, app.yamlPath));
    counted(row, "corrupt", () => expect(dataAfter).toEqual(dataOf(before)));

    await fs.writeFile(app.yamlPath, GOOD);
    await syncNow(app);
    row.ops++;
    const violations = convergenceViolations(await snapshot(reader, app.yamlPath));
    row.corrupt += violations.length;
    expect(violations).toEqual([]);
    finished++;
  });

  it("a deleted file is re-created from the DB: nothing is deleted from the DB", async () => {
    await fs.writeFile(app.yamlPath, GOOD);
    await syncNow(app);
    const before = await snapshot(reader, app.yamlPath);
    row.injected++;
    await fs.rm(app.yamlPath);
    row.ops++;
    await syncNow(app);
    const after = await snapshot(reader, app.yamlPath);
    row.corrupt += convergenceViolations(after).length;
    expect(convergenceViolations(after)).toEqual([]);
    row.lost += [...before.db.keys()].filter((id) => !after.db.has(id)).length;
    expect(dataOf(after)).toEqual(dataOf(before));
    finished++;
  });

  it("a symlink to a secret file swapped in for the YAML: refused, the target is never written, its content never shown", async () => {
    const outside = await fs.mkdtemp(path.join(os.tmpdir(), "schedule-sync-outside-"));
    const secretFile = path.join(outside, "credentials.env");
    await fs.writeFile(secretFile, `API_TOKEN=${SECRET}\nDB_PASSWORD: ${SECRET}\n`);
    await fs.writeFile(app.yamlPath, GOOD);
    await syncNow(app);
    const before = await snapshot(reader, app.yamlPath);
    await fs.rm(app.yamlPath);
    row.injected++;
    await fs.symlink(secretFile, app.yamlPath);
    row.ops += 4;
    try {
      const answers = [
        await app.api("/api/sync/trigger", { method: "POST", json: {} }),
        await app.api("/api/tasks/daily-backup", { method: "PATCH", json: { enabled: false } }),
        await app.api("/api/sync/status"),
        await fetch(`${app.url}/api/health`),
      ];
      expect(answers.map((r) => r.status)).toEqual([409, 409, 200, 200]);
      for (const res of answers) expect(await res.text()).not.toContain(SECRET);
      const secretAfter = await fs.readFile(secretFile, "utf8");
      counted(row, "corrupt", () => expect(secretAfter).toContain(`API_TOKEN=${SECRET}`));
      const dataAfter = dataOf(await snapshot(reader, app.yamlPath));
      counted(row, "corrupt", () => expect(dataAfter).toEqual(dataOf(before)));
      expect(app.output()).not.toContain(SECRET);
    } finally {
      await fs.rm(app.yamlPath, { force: true });
      await fs.writeFile(app.yamlPath, GOOD);
      await fs.rm(outside, { recursive: true, force: true });
    }
    await syncNow(app);
    finished++;
  });

  it("a symlink to another valid schedule swapped in: its tasks are read, and a server write goes to the link's target, keeping the link", async () => {
    const outside = await fs.mkdtemp(path.join(os.tmpdir(), "schedule-sync-outside-"));
    const target = path.join(outside, "other.yml");
    const targetText = yamlOf({ "daily-backup": backup, "hourly-health": health, "weekly-report": report, "from-the-link": health }, "# someone else's file\n");
    await fs.writeFile(target, targetText);
    await fs.writeFile(app.yamlPath, GOOD);
    await syncNow(app);
    await fs.rm(app.yamlPath);
    row.injected++;
    await fs.symlink(target, app.yamlPath);
    row.ops += 2;
    try {
      await syncNow(app);
      expect((await app.api("/api/tasks/from-the-link")).status).toBe(200);
      expect((await app.api("/api/tasks/from-the-link", { method: "PATCH", json: { enabled: false } })).status).toBe(200);
      // Issue #16, finding 6: the link is kept and its target gets the change, as editors do;
      // replacing the link by a file left later edits of the target unseen.
      const targetAfter = await fs.readFile(target, "utf8");
      counted(row, "corrupt", () => expect(targetAfter).toContain("# someone else's file\n"));
      const parsed = parseSchedule(targetAfter);
      expect(parsed.ok && parsed.tasks.get("from-the-link")?.enabled).toBe(false);
      expect((await fs.lstat(app.yamlPath)).isSymbolicLink()).toBe(true);
      const violations = convergenceViolations(await snapshot(reader, app.yamlPath));
      row.corrupt += violations.length;
      expect(violations).toEqual([]);
    } finally {
      // The link's own file again, so the suites after this one start from a plain file.
      const text = await fs.readFile(target, "utf8").catch(() => GOOD);
      await fs.rm(app.yamlPath, { force: true });
      await fs.writeFile(app.yamlPath, text);
      await fs.rm(outside, { recursive: true, force: true });
    }
    finished++;
  });

  it("never printed a crash", () => {
    expect(crashLines(app.output())).toEqual([]);
    row.detail.push(`${cases.length} hostile files, a deleted file and two symlinks swapped in (injected); ops = syncs and API writes against them; corrupt = a bad file overwritten, data changed by a refusal, a secret link target written or a schedule link target broken`);
    row.complete = finished === cases.length + 3;
  });
});

// ---------------------------------------------------------------------------------------

describe("fuzzed API requests", { timeout: 120_000 }, () => {
  const scenario = scenarioSummaries();
  it("every answer is JSON, never a 5xx or a hang; a refused request changes nothing; an accepted write leaves YAML == DB == base", async () => {
    const runs = Number(process.env.FUZZ_RUNS ?? 150);
    const seed = Number(process.env.FUZZ_SEED ?? 20261125);
    const row = scenario(`postgresql API fuzz, ${runs} requests (seed ${seed})`);
    const tally: FuzzTally = { requests: 0, refusedButChanged: 0, violations: 0 };
    try {
      await fs.writeFile(app.yamlPath, GOOD);
      await syncNow(app);
      const { statuses, accepted } = await fuzzApi(app, () => snapshot(reader, app.yamlPath), { runs, seed, tally });
      row.injected = Object.entries(statuses).reduce((n, [status, count]) => n + (Number(status) >= 400 ? count : 0), 0);
      // A sync after all that is a no-op and the sides agree.
      const last = await syncNow(app);
      expect(last.changedTaskIds).toEqual([]);
      const final = await snapshot(reader, app.yamlPath);
      tally.violations += convergenceViolations(final).length;
      expect(convergenceViolations(final)).toEqual([]);
      expect(taskMapDifferences("yaml", final.yaml!, "db", final.db)).toEqual([]);
      expect(crashLines(app.output())).toEqual([]);
      console.info(`[reliability] API fuzz: statuses ${JSON.stringify(statuses)}, ${accepted} writes accepted`);
      row.detail.push(`injected = hostile requests refused with a 4xx; corrupt = refused requests that changed something + accepted writes that broke YAML == DB == base; statuses ${JSON.stringify(statuses)}; ${accepted} writes accepted`);
      row.complete = true;
    } finally {
      Object.assign(row, { ops: tally.requests, corrupt: tally.refusedButChanged + tally.violations });
    }
  }, 300_000);

  it("refuses a body over 1 MiB with 413 without reading it all, even on the public login route", async () => {
    const big = "x".repeat(64 * 1024 * 1024);
    const { value: res, ms } = await timed(() =>
      fetch(`${app.url}/api/auth/login`, { method: "POST", body: big, headers: { "content-type": "application/json", origin: new URL(app.url).origin } }),
    );
    expect(res.status).toBe(413);
    expect((await json<{ error: { code: string } }>(res)).error.code).toBe("payload_too_large");
    expect(ms).toBeLessThan(10_000);
  });

  it("answers JSON for an unknown API path, an unsupported method and a malformed %-escape", async () => {
    const cases = [
      { res: await app.api("/api/nope"), status: 404 },
      { res: await app.api("/api/tasks", { method: "PUT", json: {} }), status: 405 },
      { res: await app.api("/api/health", { method: "DELETE" }), status: 405 },
      { res: await app.api("/api/tasks/%E0%A4%A"), status: 400 },
    ];
    for (const { res, status } of cases) {
      expect(res.status).toBe(status);
      expect(res.headers.get("content-type")).toMatch(/json/);
      expect(typeof (await json<{ error: { code: string } }>(res)).error.code).toBe("string");
    }
    expect((await fetch(`${app.url}/api/nope`)).status, "still 401 without the token").toBe(401);
  });
});
