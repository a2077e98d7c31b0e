import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSchedule } from "@/lib/yaml";
import { createPostgresDatabase } from "../_support/databases";
import { backup, health, yamlOf } from "../_support/engine-harness";
import { runCli } from "./_cli";

/** `schedule-sync revisions` and `restore` (issue #17), on PostgreSQL (the CLI opens the database itself). */
describe("schedule-sync revisions and restore", () => {
  let dir: string;
  let yamlPath: string;
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  const cli = (...argv: string[]) => runCli(argv, { env, cwd: dir });
  const yamlTasks = async () => {
    const parsed = parseSchedule(await fs.readFile(yamlPath, "utf8"));
    if (!parsed.ok) throw new Error(parsed.issues[0].message);
    return parsed.tasks;
  };

  beforeAll(async () => {
    const created = await createPostgresDatabase();
    drop = created.drop;
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "schedule-sync-cli-revisions-"));
    yamlPath = path.join(dir, "config", "schedule_config.yml");
    await fs.mkdir(path.dirname(yamlPath), { recursive: true });
    env = { DATABASE_URL: created.url, DATA_DIR: "data" };
  });
  afterAll(async () => {
    await drop?.();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("lists the revisions and restores one, after a dry run", async () => {
    await fs.writeFile(yamlPath, yamlOf({ "daily-backup": backup, "hourly-health": health }));
    expect((await cli("sync")).code).toBe(0);
    await fs.writeFile(yamlPath, yamlOf({ "daily-backup": { ...backup, command: "/opt/backup.sh --v2" }, "hourly-health": health }));
    expect((await cli("sync")).code).toBe(0);

    const listed = await cli("revisions", "--json");
    expect(listed.code).toBe(0);
    const revisions = JSON.parse(listed.stdout) as { id: string; source: string; added: number; changed: number }[];
    expect(revisions.map((r) => [r.source, r.added, r.changed])).toEqual([
      ["yaml", 0, 1],
      ["yaml", 2, 0],
    ]);
    const text = await cli("revisions");
    expect(text.stdout).toContain(revisions[1]!.id);
    expect(text.stdout).toContain("+2");

    const dry = await cli("restore", revisions[1]!.id, "--dry-run");
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("would change 1 task(s)");
    expect(dry.stdout).toContain("update daily-backup");
    expect((await yamlTasks()).get("daily-backup")?.command).toBe("/opt/backup.sh --v2");

    const done = await cli("restore", revisions[1]!.id);
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/Restored in run [0-9a-f-]{36}/);
    expect((await yamlTasks()).get("daily-backup")?.command).toBe("/opt/backup.sh");
    expect((await cli("diff")).code).toBe(0);

    const unknown = await cli("restore", "00000000-0000-4000-8000-000000000000");
    expect(unknown.code).toBe(2);
    expect(await cli("restore")).toMatchObject({ code: 2 });
  });
});
