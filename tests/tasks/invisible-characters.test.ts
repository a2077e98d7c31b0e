import fs from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTaskSchema, patchTaskSchema } from "@/lib/tasks/task-schema";
import { parseSchedule } from "@/lib/yaml";
import { startAppProcess, type AppProcess } from "../_support/app-process";
import { backup, yamlOf } from "../_support/engine-harness";

/**
 * Issue #14, finding 7: bidi controls and other invisible characters would make a command
 * read differently from what runs (`echo safe #‮ fr- mr` shows reversed). They are refused in
 * every field, by the one schema the API, the file and the UI share, with an answer that names
 * the field and the code point; the file's refusal says where (line and column).
 */

const task = { id: "nightly", name: "Nightly", schedule: "0 3 * * *", command: "/opt/nightly.sh" };

const REFUSED: [field: string, value: unknown, message: string][] = [
  ["command", "rm -rf /tmp/cache #\u202e fr- mr", "command: contains U+202E RIGHT-TO-LEFT OVERRIDE"],
  ["command", "echo \u2066hidden\u2069", "command: contains U+2066 LEFT-TO-RIGHT ISOLATE"],
  ["command", "curl\u200b example.org", "command: contains U+200B ZERO WIDTH SPACE"],
  ["command", "a\u200db", "command: contains U+200D ZERO WIDTH JOINER"],
  ["command", "ls\u2028rm -rf /", "command: contains U+2028 LINE SEPARATOR"],
  ["command", "echo \u{e0041}\u{e0042}", "command: contains U+E0041 TAG CHARACTER"],
  ["name", "Backup \u202a(safe)\u202c", "name: contains U+202A LEFT-TO-RIGHT EMBEDDING"],
  ["name", "Backup\u200f", "name: contains U+200F RIGHT-TO-LEFT MARK"],
  ["name", "\u061cBackup", "name: contains U+061C ARABIC LETTER MARK"],
  ["description", "Nightly \ufeffdump", "description: contains U+FEFF ZERO WIDTH NO-BREAK SPACE"],
  ["id", "night\u202ely", "id: contains U+202E RIGHT-TO-LEFT OVERRIDE"],
  ["tags", ["ops", "d\u2067b"], "tags.1: contains U+2067 RIGHT-TO-LEFT ISOLATE"],
  ["timezone", "UTC\u200e", "timezone: contains U+200E LEFT-TO-RIGHT MARK"],
  ["schedule", "0 3 * * *\u2069", "schedule: contains U+2069 POP DIRECTIONAL ISOLATE"],
];

function firstIssue(result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }): string | null {
  const issue = result.error?.issues[0];
  return issue ? `${issue.path.join(".")}: ${issue.message}` : null;
}

describe("the task schema", () => {
  it.each(REFUSED)("refuses %s %j naming the code point", (field, value, message) => {
    const result = createTaskSchema.safeParse({ ...task, [field]: value });
    expect(result.success).toBe(false);
    expect(result.error!.issues).toHaveLength(1);
    expect(firstIssue(result)).toBe(message);
    if (field !== "id") expect(firstIssue(patchTaskSchema.safeParse({ [field]: value }))).toBe(message);
  });

  it("keeps text people write: joiners in names (emoji, Persian), right-to-left scripts, accents", () => {
    for (const name of ["Sicherung 👨\u200d👩\u200d👧", "پشتیبان\u200cگیری", "גיבוי לילי", "Sauvegarde élevée"]) {
      expect(createTaskSchema.safeParse({ ...task, name }).success, name).toBe(true);
    }
  });
});

describe("the YAML file", () => {
  it("reports the code point with the line and column of the value", () => {
    const text = ["version: 1", "tasks:", "  nightly:", "    name: Nightly", '    schedule: "0 3 * * *"', '    command: "rm -rf /tmp/cache #\u202e fr- mr"', "    tags: [ops, \"d\u2067b\"]", ""].join("\n");
    const parsed = parseSchedule(text);
    expect(parsed.ok).toBe(false);
    const issues = parsed.ok ? [] : parsed.issues;
    const lines = text.split("\n");
    expect(issues.map(({ message, line, column }) => ({ message, line, column }))).toEqual([
      { message: 'task "nightly": command contains U+202E RIGHT-TO-LEFT OVERRIDE', line: 6, column: lines[5]!.indexOf('"rm') + 1 },
      { message: 'task "nightly": tags[1]: contains U+2067 RIGHT-TO-LEFT ISOLATE', line: 7, column: lines[6]!.indexOf('"d') + 1 },
    ]);
  });
});

describe("through the server", { timeout: 120_000 }, () => {
  let app: AppProcess;
  beforeAll(async () => {
    app = await startAppProcess({ db: "pglite", yaml: yamlOf({ "daily-backup": backup }) });
  }, 120_000);
  afterAll(async () => {
    await app?.dispose();
  });

  it("the API answers 400 naming the field and the code point, and stores nothing", async () => {
    for (const [field, value, message] of REFUSED) {
      const res = await app.api("/api/tasks", { method: "POST", json: { ...task, [field]: value } });
      expect(res.status, message).toBe(400);
      expect((await res.json()).error.message).toBe(message);
    }
    const patch = await app.api("/api/tasks/daily-backup", { method: "PATCH", json: { command: "/opt/backup.sh #\u202e" } });
    expect(patch.status).toBe(400);
    expect((await patch.json()).error.message).toBe("command: contains U+202E RIGHT-TO-LEFT OVERRIDE");
    const list = await (await app.api("/api/tasks")).json();
    expect(list.items.map((t: { id: string }) => t.id)).toEqual(["daily-backup"]);
    expect(await fs.readFile(app.yamlPath, "utf8")).not.toMatch(/[\u202e\u2066]/);
  });

  it("a hand edit with one is refused with its position, and imports nothing", async () => {
    const { id: _id, ...body } = task;
    const edited = yamlOf({ "daily-backup": backup, nightly: { ...body, command: "rm -rf /tmp/cache #\u202e fr- mr" } });
    await fs.writeFile(app.yamlPath, edited);
    const lines = edited.split("\n");
    const line = lines.findIndex((text) => text.includes("\u202e")) + 1;
    let status: { yaml: { valid: boolean; issues: { message: string; line: number; column: number }[] } } | null = null;
    for (let i = 0; i < 100 && status?.yaml.valid !== false; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = await (await app.api("/api/sync/status")).json();
    }
    expect(status!.yaml.valid).toBe(false);
    expect(status!.yaml.issues[0]).toMatchObject({ message: 'task "nightly": command contains U+202E RIGHT-TO-LEFT OVERRIDE', line, column: lines[line - 1]!.indexOf('"rm') + 1 });
    expect((await app.api("/api/tasks/nightly")).status).toBe(404);
  });
});
