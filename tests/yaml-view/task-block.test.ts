import { describe, expect, it } from "vitest";
import { sampleSchedule } from "@/bench/sample-schedule";
import { parseTaskBlock, scanTaskBlock, taskBlock } from "@/lib/yaml-view/task-block";

const TRICKY = `# Scheduled tasks
version: 1
tasks:
  # leads into daily-backup
  daily-backup:                 # the important one
    name: Daily database backup
    schedule: "0 2 * * *"
    # a comment inside the task
    command: /opt/scripts/backup.sh --full
    description: |
      Full dump,

      then upload.
    tags: [ops, db]
    # trailing, deeper than the key: still this task's
  # leads into the next task, not this one
  "quoted-id":
    name: Quoted
    schedule: '*/5 * * * *'
    command: x
  'single-quoted': {name: Flow, schedule: "0 1 * * *", command: y}
  last:
    name: Last
    schedule: "@daily"
    command: z
# a top-level comment after the tasks
`;

describe("a task's block in the file", () => {
  it.each(["daily-backup", "quoted-id", "single-quoted", "last"])("the scan of %s agrees with the full parse", (id) => {
    expect(scanTaskBlock(TRICKY, id)).toEqual(parseTaskBlock(TRICKY, id));
  });

  it("keeps comments and gives the key's line", () => {
    expect(taskBlock(TRICKY, "daily-backup")).toEqual({
      line: 5,
      text: `# leads into daily-backup
daily-backup:                 # the important one
  name: Daily database backup
  schedule: "0 2 * * *"
  # a comment inside the task
  command: /opt/scripts/backup.sh --full
  description: |
    Full dump,

    then upload.
  tags: [ops, db]
  # trailing, deeper than the key: still this task's
`,
    });
  });

  it("agrees with the full parse for every task of a generated file, and with CRLF line ends", () => {
    const text = sampleSchedule(40);
    for (let i = 0; i < 40; i++) expect(scanTaskBlock(text, `task-${i}`), `task-${i}`).toEqual(parseTaskBlock(text, `task-${i}`));
    const crlf = TRICKY.replace(/\n/g, "\r\n");
    expect(taskBlock(crlf, "last")?.line).toBe(parseTaskBlock(TRICKY, "last")?.line);
    expect(taskBlock(crlf, "last")?.line).toBe(22);
  });

  it("falls back to the full parse for a layout it does not follow, and finds no task that is not there", () => {
    const flow = `version: 1\ntasks: {a: {name: A, schedule: "0 1 * * *", command: x}}\n`;
    expect(scanTaskBlock(flow, "a")).toBeNull();
    expect(taskBlock(flow, "a")).toMatchObject({ line: 2 });
    expect(taskBlock(TRICKY, "nope")).toBeNull();
    // A key that only looks like the task inside another task's value is not it.
    expect(taskBlock(TRICKY, "name")).toBeNull();
  });

  it("finds a task in a 10,000-task file in milliseconds", () => {
    const text = sampleSchedule(10_000);
    const started = performance.now();
    const found = taskBlock(text, "task-9876");
    expect(found?.text).toContain("command: /opt/scripts/run.sh --task 9876");
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
