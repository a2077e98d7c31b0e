import { writeFile, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applySchedulePatch, createScheduleStore, parseSchedule } from "../../lib/yaml";
import { makeTask, useTempDir, yaml } from "./_helpers";

/**
 * Issue #17: the server no longer writes a `metadata:` block at the end of the file (it trapped
 * tasks appended at the bottom and made git branches conflict on every write). Files that have
 * one keep working and lose it on the next write.
 */

const withBlock = yaml`
  # ops schedule
  version: 1
  tasks:
    backup:                  # nightly
      name: Backup
      schedule: "0 2 * * *"
      command: /opt/backup.sh
  # written by the server
  metadata:
    sync_source: db
    written_at: 2026-11-30T10:00:00Z
    checksum: sha256:abc
`;

function parsedOk(text: string) {
  const parsed = parseSchedule(text);
  if (!parsed.ok) throw new Error(parsed.issues[0]!.message);
  return parsed;
}

describe("the old metadata block", () => {
  const tempDir = useTempDir();

  it("still reads, and goes with the next write (comments of the tasks kept)", () => {
    const parsed = parsedOk(withBlock);
    expect(parsed.metadata).toMatchObject({ sync_source: "db" });
    const out = applySchedulePatch({ text: withBlock, parsed }, { upsert: [makeTask("report")], dropMetadata: true }).text;
    expect(out).not.toContain("metadata");
    expect(out).not.toContain("written by the server");
    expect(out).toContain("backup:                  # nightly");
    expect([...parsedOk(out).tasks.keys()]).toEqual(["backup", "report"]);
  });

  it("is not rewritten by a patch that changes no task", () => {
    const parsed = parsedOk(withBlock);
    const result = applySchedulePatch({ text: withBlock, parsed }, { upsert: [parsed.tasks.get("backup")!], dropMetadata: true });
    expect(result.changed).toBe(false);
    expect(result.text).toBe(withBlock);
  });

  it("goes when a task is deleted or changed, through the store", async () => {
    const path = join(await tempDir(), "s.yml");
    await writeFile(path, withBlock);
    const store = createScheduleStore({ path, keepBackups: 0 });
    await store.write({ upsert: [makeTask("backup", { command: "/opt/backup.sh --full" })], dropMetadata: true });
    const text = await readFile(path, "utf8");
    expect(text).not.toContain("metadata:");
    expect(parsedOk(text).tasks.get("backup")?.command).toBe("/opt/backup.sh --full");
    // The store's next read (its incremental parse) agrees with a fresh parse.
    const read = await store.read();
    expect(read.status).toBe("ok");
    if (read.status === "ok") expect(new Map(read.tasks)).toEqual(new Map(parsedOk(text).tasks));
  });

  it("a task appended at the bottom, under the old block, is reported as such", () => {
    const appended = withBlock + yaml`
      nightly-pg-dump:
        name: Dump
        schedule: "0 3 * * *"
        command: pg_dump
    `.replace(/^/gm, "  ");
    const parsed = parseSchedule(appended);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.issues[0]).toMatchObject({ path: ["metadata", "nightly-pg-dump"] });
    expect(parsed.issues[0]!.message).toContain("move it under `tasks:`");
  });
});
