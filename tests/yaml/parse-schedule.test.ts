import { describe, expect, it } from "vitest";
import { parseSchedule, type YamlIssue } from "../../lib/yaml";
import { yaml } from "./_helpers";

const valid = yaml`
  # header
  version: 1
  tasks:
    daily-backup:
      name: Daily database backup
      schedule: "0  2 * * *"
      command: /opt/scripts/backup.sh --full
      description: ""
    weekly-report:
      name: Weekly report
      schedule: "0 9 * * 1"
      timezone: Europe/Berlin
      command: /opt/scripts/report.sh
      enabled: false
      description: Summary
      tags: [reports, mail]
  metadata:
    sync_source: db
    written_at: 2026-11-25T11:00:00Z
    checksum: sha256:abc
`;

function issuesOf(input: string | Uint8Array, opts?: Parameters<typeof parseSchedule>[1]): YamlIssue[] {
  const result = parseSchedule(input, opts);
  if (result.ok) throw new Error("expected the file to be refused");
  return result.issues;
}

describe("parseSchedule: valid files", () => {
  it("normalizes tasks (defaults filled, cron whitespace collapsed) in file order", () => {
    const result = parseSchedule(valid);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.order).toEqual(["daily-backup", "weekly-report"]);
    expect(result.tasks.get("daily-backup")).toEqual({
      id: "daily-backup",
      name: "Daily database backup",
      schedule: "0 2 * * *",
      timezone: "UTC",
      command: "/opt/scripts/backup.sh --full",
      enabled: true,
      description: null,
      tags: [],
    });
    expect(result.tasks.get("weekly-report")).toMatchObject({ enabled: false, timezone: "Europe/Berlin", tags: ["reports", "mail"] });
    expect(result.metadata).toEqual({ sync_source: "db", written_at: "2026-11-25T11:00:00Z", checksum: "sha256:abc" });
    expect(result.checksum).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("checksums the exact bytes, whether given text or bytes", () => {
    const fromText = parseSchedule(valid);
    const fromBytes = parseSchedule(new TextEncoder().encode(valid));
    const other = parseSchedule(valid + "# one more comment\n");
    expect(fromText.checksum).toBe(fromBytes.checksum);
    expect(other.checksum).not.toBe(fromText.checksum);
  });

  it.each([
    ["tasks: {}", "version: 1\ntasks: {}\n"],
    ["tasks: (null)", "version: 1\ntasks:\n"],
    ["tasks: ~", "version: 1\ntasks: ~\n# nothing yet\n"],
  ])("%s means no tasks", (_, text) => {
    const result = parseSchedule(text);
    expect(result.ok && result.tasks.size).toBe(0);
  });

  it("accepts ids that YAML would read as numbers or booleans when they are quoted", () => {
    const result = parseSchedule('version: 1\ntasks:\n  "0123":\n    name: A\n    schedule: "* * * * *"\n    command: x\n  \'true\':\n    name: B\n    schedule: "* * * * *"\n    command: y\n');
    expect(result.ok && result.order).toEqual(["0123", "true"]);
  });
});

describe("parseSchedule: every bad input gives its code and the offending line/column", () => {
  const task = (extra: string) => `version: 1\ntasks:\n  a:\n    name: A\n    schedule: "* * * * *"\n    command: x\n${extra}`;

  it.each<[string, string, Partial<YamlIssue>]>([
    ["syntax error", 'version: 1\ntasks:\n  a:\n    name: [A\n  b: 1\n', { code: "syntax", line: 5, column: 3 }],
    ["unquoted cron (alias syntax)", 'version: 1\ntasks:\n  a:\n    name: A\n    schedule: * * * * *\n', { code: "syntax", line: 5, column: 15 }],
    ["several documents", "version: 1\ntasks: {}\n---\nversion: 1\n", { code: "syntax", line: 3, column: 1 }],
    ["duplicate task id (line of the second)", task("  a:\n    name: B\n"), { code: "duplicate_key", line: 7, column: 3, path: ["tasks", "a"] }],
    ["duplicate field", 'version: 1\ntasks:\n  a:\n    name: A\n    name: B\n    schedule: "* * * * *"\n    command: x\n', { code: "duplicate_key", line: 5, column: 5 }],
    ["unknown field in a task", task("    retries: 3\n"), { code: "unknown_field", line: 7, column: 5, path: ["tasks", "a", "retries"] }],
    ["unknown top-level key", task("owner: ops\n"), { code: "unknown_field", line: 7, column: 1, path: ["owner"] }],
    ["bad cron", 'version: 1\ntasks:\n  a:\n    name: A\n    schedule: "61 * * * *"\n    command: x\n', { code: "invalid_task", line: 5, column: 15, path: ["tasks", "a", "schedule"] }],
    ["cron with a wrong number of fields", 'version: 1\ntasks:\n  a:\n    name: A\n    schedule: "* * *"\n    command: x\n', { code: "invalid_task", line: 5, column: 15 }],
    ["bad timezone", task("    timezone: Mars/Olympus\n"), { code: "invalid_task", line: 7, column: 15, path: ["tasks", "a", "timezone"] }],
    ['enabled: "yes"', task('    enabled: "yes"\n'), { code: "invalid_task", line: 7, column: 14, path: ["tasks", "a", "enabled"] }],
    ["enabled: yes (a string in YAML 1.2)", task("    enabled: yes\n"), { code: "invalid_task", line: 7, column: 14 }],
    ["tags not a list", task("    tags: ops\n"), { code: "invalid_task", line: 7, column: 11 }],
    ["bad tag inside the list", task("    tags: [ok, 'not ok']\n"), { code: "invalid_task", line: 7, column: 16, path: ["tasks", "a", "tags", 1] }],
    ["missing required field (points at the task)", 'version: 1\ntasks:\n  a:\n    name: A\n    command: x\n', { code: "invalid_task", line: 3, column: 3, path: ["tasks", "a", "schedule"] }],
    ["empty name", 'version: 1\ntasks:\n  a:\n    name: "  "\n    schedule: "* * * * *"\n    command: x\n', { code: "invalid_task", line: 4, column: 11 }],
    ["bad id", 'version: 1\ntasks:\n  Daily_Backup:\n    name: A\n    schedule: "* * * * *"\n    command: x\n', { code: "invalid_id", line: 3, column: 3 }],
    ["task value null", "version: 1\ntasks:\n  a: null\n", { code: "invalid_task", line: 3, column: 6 }],
    ["task value empty", "version: 1\ntasks:\n  a:\n", { code: "invalid_task", line: 3, column: 3 }],
    ["task value a scalar", "version: 1\ntasks:\n  a: run it\n", { code: "invalid_task", line: 3, column: 6 }],
    ["task value a list", "version: 1\ntasks:\n  a:\n    - x\n", { code: "invalid_task", line: 4, column: 5 }],
    ["non-map root (list)", "- a\n- b\n", { code: "bad_structure", line: 1, column: 1 }],
    ["non-map root (scalar)", "# just text\nhello\n", { code: "bad_structure", line: 2, column: 1 }],
    ["empty file", "# only a comment\n", { code: "bad_structure", line: 1, column: 1 }],
    ["tasks not a map", "version: 1\ntasks: [a, b]\n", { code: "bad_structure", line: 2, column: 8 }],
    ["missing tasks", "version: 1\n", { code: "bad_structure", line: 1, column: 1 }],
    ["missing version", "tasks: {}\n", { code: "bad_structure", line: 1, column: 1 }],
    ["unsupported version", "version: 2\ntasks: {}\n", { code: "unsupported_version", line: 1, column: 10 }],
    ["bad metadata", "version: 1\ntasks: {}\nmetadata:\n  sync_source: elsewhere\n", { code: "bad_structure", line: 4, column: 16 }],
    ["metadata twice, the second one empty", "version: 1\nmetadata:\n  sync_source: db\ntasks: {}\nmetadata:\n", { code: "duplicate_key", line: 5, column: 1, path: ["metadata"] }],
    ["binary garbage", "version: 1\ntasks:\u0000\u0001\u0002", { code: "not_utf8", line: 2, column: 7 }],
  ])("%s", (_, text, expected) => {
    expect(issuesOf(text)[0]).toMatchObject(expected);
  });

  it("invalid UTF-8 bytes", () => {
    const bytes = new Uint8Array([...new TextEncoder().encode("version: 1\ntasks:\n  a: "), 0xc3, 0x28, 0x0a]);
    expect(issuesOf(bytes)[0]).toMatchObject({ code: "not_utf8", line: 3, column: 6 });
    expect(issuesOf(bytes)[0]!.message).toMatch(/UTF-8/);
  });

  it("a binary file (PNG header)", () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
    expect(issuesOf(png)[0]).toMatchObject({ code: "not_utf8", line: 1, column: 1 });
  });

  it("a file over the size limit is refused before parsing", () => {
    const big = "version: 1\ntasks: {}\n" + "# padding\n".repeat(20);
    expect(issuesOf(big, { maxBytes: 100 })[0]).toMatchObject({ code: "too_large", line: 1, column: 1 });
    expect(parseSchedule(big, { maxBytes: 1000 }).ok).toBe(true);
  });

  it("a billion-laughs alias bomb is refused fast", () => {
    const levels = "abcdefghij".split("");
    let bomb = "version: 1\ntasks: {}\nlol:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
    for (let i = 1; i < levels.length; i++) {
      const prev = levels[i - 1];
      bomb += `  ${levels[i]}: &${levels[i]} [${Array(10).fill(`*${prev}`).join(", ")}]\n`;
    }
    const started = performance.now();
    const issues = issuesOf(bomb);
    expect(performance.now() - started).toBeLessThan(500);
    expect(issues[0]).toMatchObject({ code: "alias_limit", line: 5, column: 10 });
  });

  it("a few aliases are fine", () => {
    const text = 'version: 1\ntasks:\n  a:\n    name: &n Shared name\n    schedule: "* * * * *"\n    command: x\n  b:\n    name: *n\n    schedule: "* * * * *"\n    command: y\n';
    const result = parseSchedule(text);
    expect(result.ok && result.tasks.get("b")!.name).toBe("Shared name");
  });

  it("reports every issue, in file order, the first one as the headline", () => {
    const text = 'version: 1\ntasks:\n  a:\n    name: A\n    schedule: "bad"\n    command: x\n    extra: 1\n  B:\n    name: B\n    schedule: "* * * * *"\n    command: y\n';
    const issues = issuesOf(text);
    expect(issues.map((i) => [i.code, i.line])).toEqual([
      ["invalid_task", 5],
      ["unknown_field", 7],
      ["invalid_id", 8],
    ]);
  });
});
