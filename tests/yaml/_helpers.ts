import fc from "fast-check";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import { normalizeTask, type Task } from "../../lib/tasks/task-schema";

/** Template tag that strips the common indentation and the first newline, for inline YAML. */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const raw = strings.reduce((out, part, i) => out + part + (i < values.length ? String(values[i]) : ""), "");
  const lines = raw.replace(/^\n/, "").split("\n");
  const indents = lines.filter((line) => line.trim() !== "").map((line) => /^ */.exec(line)![0].length);
  const strip = Math.min(...indents);
  return lines.map((line) => line.slice(strip)).join("\n").replace(/[ ]+$/, "");
}

/** A fresh temp folder per test, removed afterwards. */
export function useTempDir(): () => Promise<string> {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), "schedule-yaml-"));
    dirs.push(dir);
    return dir;
  };
}

/** Hand-formatted on purpose: aligned trailing comments, quoting styles, flow and block lists, block scalars, odd blank lines. */
export const goldenSchedule = yaml`
  # Schedule for the ops team.
  # Second header line, then a blank one.

  version: 1   # format version

  tasks:
    # ---- Backups --------------------------------------------
    daily-backup:                 # key = task id
      name: Daily database backup
      schedule: "0 2 * * *"       # 02:00
      timezone: UTC
      command: /opt/scripts/backup.sh --full
      enabled: true
      description: 'Full dump to object storage'   # single-quoted on purpose
      tags: [ops, db]             # flow sequence


    # Two blank lines above, on purpose.
    hourly-health-check:
      name: "Hourly health check"
      schedule: '0 * * * *'
      command: /opt/scripts/health-check.sh
      tags:
        - ops          # block sequence
        - monitoring
      # trailing comment inside the task

    weekly-report:
      name: Weekly report
      schedule: "0 9 * * 1"
      timezone: Europe/Berlin
      command: >-
        /opt/scripts/report.sh --weekly
      enabled: false
      description: |
        Multi-line description,
        kept as a block scalar.

  # Footer comment at the end of the file.
`;

export function makeTask(id: string, overrides: Partial<Task> = {}): Task {
  return normalizeTask({
    id,
    name: `Task ${id}`,
    schedule: "0 * * * *",
    command: `/opt/scripts/${id}.sh`,
    ...overrides,
  });
}

export interface LineDiff {
  /** 1-based line numbers in the old text. */
  removed: { line: number; text: string }[];
  /** 1-based line numbers in the new text. */
  added: { line: number; text: string }[];
}

/** Line-by-line diff (LCS), enough for test files of a few hundred lines. */
export function diffLines(before: string, after: string): LineDiff {
  const a = before.split("\n");
  const b = after.split("\n");
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const diff: LineDiff = { removed: [], added: [] };
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
    } else if (j < b.length && (i === a.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      diff.added.push({ line: j + 1, text: b[j]! });
      j++;
    } else {
      diff.removed.push({ line: i + 1, text: a[i]! });
      i++;
    }
  }
  return diff;
}

/** 1-based line number of the first line containing `needle`. */
export function lineOf(text: string, needle: string, from = 1): number {
  const lines = text.split("\n");
  for (let i = from - 1; i < lines.length; i++) if (lines[i]!.includes(needle)) return i + 1;
  throw new Error(`no line contains ${JSON.stringify(needle)}`);
}

// ---- fast-check arbitraries: valid tasks, with text that is hard for YAML ----

const awkward = [
  "yes", "no", "on", "off", "null", "~", "true", "123", "0x1f", "1e3", "-", "- x", "? x", "a: b", "a #b", "#x",
  "*x", "&a", "!tag", "%x", "@x", "`x", "'q'", '"q"', "{a}", "[a]", "a, b", "|", ">", "x\ty", "ü", "日本", "😀", "\\",
  "line one\nline two", " lead", "trail ", "a  b", "2026-11-25T11:00:00Z",
];
// Split by code point: split("") would cut 😀 into two lone surrogates, which no store can hold.
const textUnit = fc.constantFrom(...[..."abcXYZ019 -_:#*&!|>'\"%@`{}[],.?\\/ü日😀\t\n"]);
const looseText = fc.oneof(fc.constantFrom(...awkward), fc.string({ unit: textUnit, minLength: 1, maxLength: 30 }));
const nonEmpty = looseText.filter((s) => s.trim().length > 0);

const cronField = (max: number) =>
  fc.oneof(fc.constant("*"), fc.integer({ min: 0, max }).map(String), fc.integer({ min: 1, max: 15 }).map((n) => `*/${n}`));
const schedule = fc.oneof(
  fc.constantFrom("* * * * *", "0 2 * * *", "*/5 * * * *", "0 9 * * 1-5", "30 4 1 * *", "0 0 * * 0", "*/10 * * * * *"),
  fc.tuple(cronField(59), cronField(23)).map(([m, h]) => `${m} ${h} * * *`),
);
const tag = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,10}$/);

export const taskIdArb = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,20}$/);

/** Valid, normalized tasks with awkward strings. */
export function taskArb(id: fc.Arbitrary<string> = taskIdArb): fc.Arbitrary<Task> {
  return fc
    .record({
      id,
      name: nonEmpty,
      schedule,
      timezone: fc.constantFrom("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"),
      command: nonEmpty,
      enabled: fc.boolean(),
      description: fc.option(looseText, { nil: null }),
      tags: fc.uniqueArray(tag, { maxLength: 4 }),
    })
    .map((task) => normalizeTask({ ...task, name: task.name.slice(0, 200), command: task.command.slice(0, 4096) }));
}
