import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backup, health, yamlOf } from "../_support/engine-harness";
import { BIN, runBin, runCli } from "./_cli";

const INVALID = `version: 1
tasks:
  daily-backup:
    name: Daily backup
    schedule: "0 25 * * *"
    command: /opt/backup.sh
    colour: red
`;

let dir: string;
const write = (name: string, text: string) => fs.writeFile(path.join(dir, name), text);

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "schedule-sync-cli-check-"));
  await write("valid.yml", yamlOf({ "daily-backup": backup, "hourly-health": health }));
  await write("invalid.yml", INVALID);
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe("schedule-sync check", () => {
  it("accepts a valid file with exit 0", async () => {
    const run = await runCli(["check", "valid.yml"], { cwd: dir });
    expect(run).toMatchObject({ code: 0, stdout: "valid.yml: valid (2 tasks)\n", stderr: "" });
  });

  it("warns, still exit 0, about a run time a clock change skips or repeats and about crowded minutes", async () => {
    const crowd = Array.from({ length: 8 }, (_, i) => `  crowd-${i}:\n    name: Crowd ${i}\n    schedule: "0 4 * * *"\n    command: /bin/true\n`).join("");
    await write(
      "warnings.yml",
      `version: 1\ntasks:\n  nightly:\n    name: Nightly\n    schedule: "30 2 * * *"\n    timezone: Europe/Berlin\n    command: /opt/nightly.sh\n  paused:\n    name: Paused\n    schedule: "30 2 * * *"\n    timezone: Europe/Berlin\n    command: x\n    enabled: false\n${crowd}`,
    );
    const run = await runCli(["check", "warnings.yml"], { cwd: dir });
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines).toEqual([
      expect.stringMatching(/^warnings\.yml:5:15: warning: nightly: On \d{4}-03-\d\d the clocks in Europe\/Berlin jump from 02:00 to 03:00: 02:30 does not exist that day/),
      expect.stringMatching(/^warnings\.yml:5:15: warning: nightly: On \d{4}-10-\d\d the clocks in Europe\/Berlin go back from 03:00 to 02:00: 02:30 happens twice/),
      expect.stringMatching(/^warnings\.yml:\d+:15: warning: 8 tasks start at \d{4}-\d\d-\d\d 04:00 UTC \(crowd-0, crowd-1, .*crowd-7\)/),
      "warnings.yml: valid (10 tasks, 3 warnings)",
    ]);
    const json = await runCli(["check", "--json", "warnings.yml"], { cwd: dir });
    expect(JSON.parse(json.stdout).files[0].warnings.map((w: { kind: string }) => w.kind)).toEqual(expect.arrayContaining(["dst_skipped", "dst_doubled", "crowded"]));
  });

  it("prints each problem as file:line:column: message and exits 2", async () => {
    const run = await runCli(["check", "invalid.yml"], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stdout.trimEnd().split("\n")).toEqual([
      expect.stringMatching(/^invalid\.yml:5:15: task "daily-backup": schedule is not a valid cron expression/),
      expect.stringMatching(/^invalid\.yml:7:5: task "daily-backup": unknown field "colour"/),
    ]);
    expect(run.stderr).toContain("2 problems in 1 file");
  });

  it("points at YAML syntax errors and duplicate task ids", async () => {
    await write("syntax.yml", "version: 1\ntasks:\n  a:\n    name: x\n      bad: indent\n");
    await write("duplicate.yml", `${yamlOf({ "daily-backup": backup })}  daily-backup:\n    name: again\n    schedule: "0 3 * * *"\n    command: x\n`);
    const syntax = await runCli(["check", "syntax.yml"], { cwd: dir });
    expect(syntax.code).toBe(2);
    expect(syntax.stdout).toMatch(/^syntax\.yml:4:11: Nested mappings are not allowed/);
    const duplicate = await runCli(["check", "duplicate.yml"], { cwd: dir });
    expect(duplicate.code).toBe(2);
    expect(duplicate.stdout).toMatch(/^duplicate\.yml:9:3: duplicate task id "daily-backup" \(first defined on line 4\)/);
  });

  it("checks several files and fails when any is invalid or missing", async () => {
    const run = await runCli(["check", "valid.yml", "invalid.yml", "missing.yml"], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stdout).toContain("valid.yml: valid (2 tasks)");
    expect(run.stdout).toContain("invalid.yml:5:15:");
    expect(run.stdout).toContain("missing.yml: cannot read: no such file");
  });

  it("checks SCHEDULE_CONFIG_PATH (default config/schedule_config.yml) when no file is given", async () => {
    await fs.mkdir(path.join(dir, "config"), { recursive: true });
    await write("config/schedule_config.yml", INVALID);
    const byDefault = await runCli(["check"], { cwd: dir });
    expect(byDefault.code).toBe(2);
    expect(byDefault.stdout).toMatch(/^config\/schedule_config\.yml:5:15: /);
    const fromEnv = await runCli(["check"], { cwd: dir, env: { SCHEDULE_CONFIG_PATH: "valid.yml" } });
    expect(fromEnv).toMatchObject({ code: 0, stdout: "valid.yml: valid (2 tasks)\n" });
  });

  it("needs no database and no server, even with DATABASE_URL pointing nowhere", async () => {
    const run = await runCli(["check", "valid.yml"], { cwd: dir, env: { DATABASE_URL: "postgresql://nobody@127.0.0.1:1/none" } });
    expect(run.code).toBe(0);
  });

  it("prints machine-readable output with --json", async () => {
    const run = await runCli(["check", "--json", "valid.yml", "invalid.yml"], { cwd: dir });
    expect(run.code).toBe(2);
    const body = JSON.parse(run.stdout);
    expect(body.valid).toBe(false);
    expect(body.files[0]).toEqual({ file: "valid.yml", valid: true, tasks: 2, issues: [], warnings: [] });
    expect(body.files[1]).toMatchObject({ file: "invalid.yml", valid: false });
    expect(body.files[1].issues[0]).toMatchObject({ code: "invalid_task", line: 5, column: 15, path: ["tasks", "daily-backup", "schedule"] });
  });

  it("refuses a file over YAML_MAX_BYTES", async () => {
    const run = await runCli(["check", "valid.yml"], { cwd: dir, env: { YAML_MAX_BYTES: "10" } });
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^valid\.yml:1:1: the file is .* more than the limit of 10 bytes/);
  });
});

describe("schedule-sync usage", () => {
  it("prints help for a command on stdout with exit 0", async () => {
    for (const command of ["check", "sync", "diff", "status"]) {
      const run = await runCli([command, "--help"]);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`Usage: schedule-sync ${command}`);
    }
    expect((await runCli(["--help"])).stdout).toContain("Commands:");
    expect((await runCli(["help", "diff"])).stdout).toContain("Usage: schedule-sync diff");
  });

  it("answers an unknown command, an unknown flag or no command with usage on stderr and exit 2", async () => {
    const unknown = await runCli(["frobnicate"]);
    expect(unknown).toMatchObject({ code: 2, stdout: "" });
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    expect(unknown.stderr).toContain("Usage: schedule-sync <command>");

    const flag = await runCli(["check", "--frob"]);
    expect(flag).toMatchObject({ code: 2, stdout: "" });
    expect(flag.stderr).toContain("Unknown option '--frob'");
    expect(flag.stderr).toContain("Usage: schedule-sync check");

    expect(await runCli([])).toMatchObject({ code: 2, stdout: "" });
    expect((await runCli(["diff", "extra"])).code).toBe(2);
  });

  it("rejects a bad --direction and --force without a winning side before touching anything", async () => {
    const env = { DATABASE_URL: "postgresql://nobody@127.0.0.1:1/none" };
    const direction = await runCli(["sync", "--direction", "sideways"], { env });
    expect(direction.code).toBe(2);
    expect(direction.stderr).toContain("--direction must be one of bidirectional, yaml_to_db, db_to_yaml");
    const force = await runCli(["sync", "--force"], { env });
    expect(force.code).toBe(2);
    expect(force.stderr).toContain("--force needs --direction yaml_to_db or db_to_yaml");
  });

  it("reports a bad environment variable with exit 2", async () => {
    const run = await runCli(["diff"], { env: { YAML_MAX_BYTES: "lots" } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("YAML_MAX_BYTES");
  });
});

describe("bin/schedule-sync.mjs", () => {
  it("runs as a child process from any folder", async () => {
    const valid = await runBin(["check", "valid.yml"], { cwd: dir });
    expect(valid).toMatchObject({ code: 0, stdout: "valid.yml: valid (2 tasks)\n" });
    const invalid = await runBin(["check", path.join(dir, "invalid.yml")], { cwd: os.tmpdir() });
    expect(invalid.code).toBe(2);
    expect(invalid.stdout).toContain(`${path.join(dir, "invalid.yml")}:5:15: `);
    expect(BIN).toMatch(/bin\/schedule-sync\.mjs$/);
  });
});
