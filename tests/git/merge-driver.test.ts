import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseSchedule } from "@/lib/yaml";
import { BIN, runCli } from "../cli/_cli";
import { yaml } from "../yaml/_helpers";
import { git, gitOk, useTempDir } from "./_git";

const FILE = "config/schedule_config.yml";

const base = yaml`
  # Team schedule: edit here or in the dashboard.
  version: 1
  tasks:
    # Dumps the main database; keep it before 3 am.
    nightly-pg-dump:
      name: Nightly dump   # short
      schedule: "0 2 * * *"
      command: pg_dump app

    weekly-report:
      name: Weekly report
      schedule: "0 9 * * 1"
      command: report.sh
`;

const task = (id: string, comment: string) => `\n  # ${comment}\n  ${id}:\n    name: ${id}\n    schedule: "0 4 * * *"\n    command: ${id}.sh\n`;

async function repo(dir: string, withDriver: boolean): Promise<string> {
  const root = path.join(dir, "repo");
  await mkdir(path.join(root, "config"), { recursive: true });
  await gitOk(root, ["init", "-q", "-b", "main"]);
  await writeFile(path.join(root, FILE), base);
  if (withDriver) {
    await writeFile(path.join(root, ".gitattributes"), `${FILE} merge=schedule-sync\n`);
    await gitOk(root, ["config", "merge.schedule-sync.name", "schedule-sync per-task merge"]);
    await gitOk(root, ["config", "merge.schedule-sync.driver", `"${process.execPath}" "${BIN}" merge-driver %O %A %B %P --marker-size %L`]);
  }
  await gitOk(root, ["add", "-A"]);
  await gitOk(root, ["commit", "-qm", "base"]);
  return root;
}

async function commitFile(root: string, text: string, message: string): Promise<void> {
  await writeFile(path.join(root, FILE), text);
  await gitOk(root, ["commit", "-qam", message]);
}

/** main and feature each change the file from the base commit; ends on main. */
async function branches(root: string, onMain: string, onFeature: string): Promise<void> {
  await gitOk(root, ["checkout", "-q", "-b", "feature"]);
  await commitFile(root, onFeature, "feature edit");
  await gitOk(root, ["checkout", "-q", "main"]);
  await commitFile(root, onMain, "main edit");
}

describe("schedule-sync merge-driver in a real git repository", () => {
  const tempDir = useTempDir();

  it("without the driver, two branches appending tasks conflict textually", async () => {
    const root = await repo(await tempDir(), false);
    await branches(root, base + task("on-main", "added on main"), base + task("on-feature", "added on feature"));
    const merge = await git(root, ["merge", "-q", "feature", "-m", "merge"]);
    expect(merge.code).toBe(1);
    expect(await readFile(path.join(root, FILE), "utf8")).toContain("<<<<<<< HEAD");
  });

  it("with the driver, they merge: both tasks, comments kept, ours's first", async () => {
    const root = await repo(await tempDir(), true);
    await branches(root, base + task("on-main", "added on main"), base + task("on-feature", "added on feature"));
    const merge = await git(root, ["merge", "-q", "feature", "-m", "merge"]);
    expect(merge.code, merge.stderr).toBe(0);
    expect(merge.stderr).toContain("schedule-sync merge-driver: config/schedule_config.yml: merged per task (1 task from theirs)");
    const text = await readFile(path.join(root, FILE), "utf8");
    expect(text).toBe(base + task("on-main", "added on main") + task("on-feature", "added on feature"));
    expect((await gitOk(root, ["status", "--porcelain"])).trim()).toBe("");
  });

  it("a rebase goes through the driver too", async () => {
    const root = await repo(await tempDir(), true);
    const feature = base.replace("pg_dump app", "pg_dump --verbose app") + task("on-feature", "added on feature");
    await branches(root, base.replace('"0 9 * * 1"', '"0 8 * * 1"') + task("on-main", "added on main"), feature);
    await gitOk(root, ["checkout", "-q", "feature"]);
    const rebase = await git(root, ["rebase", "main"]);
    expect(rebase.code, rebase.stderr).toBe(0);
    const parsed = parseSchedule(await readFile(path.join(root, FILE), "utf8"));
    if (!parsed.ok) throw new Error("the rebased file must be valid");
    expect(parsed.order).toEqual(["nightly-pg-dump", "weekly-report", "on-main", "on-feature"]);
    expect(parsed.tasks.get("nightly-pg-dump")?.command).toBe("pg_dump --verbose app");
    expect(parsed.tasks.get("weekly-report")?.schedule).toBe("0 8 * * 1");
  });

  it("leaves markers only around the truly conflicting task, and check names its lines", async () => {
    const root = await repo(await tempDir(), true);
    const onMain = base.replace("report.sh", "report.sh --html") + task("on-main", "added on main");
    const onFeature = base.replace("report.sh", "report.sh --pdf").replace("pg_dump app", "pg_dump --verbose app");
    await branches(root, onMain, onFeature);
    const merge = await git(root, ["merge", "-q", "feature", "-m", "merge"]);
    expect(merge.code).toBe(1);
    expect(merge.stderr).toMatch(/1 conflict left:\n {2}lines 10-20: task weekly-report: both changed command/);
    const text = await readFile(path.join(root, FILE), "utf8");
    const lines = text.split("\n");
    expect(lines[9]).toBe("<<<<<<< ours");
    expect(lines[19]).toBe(">>>>>>> theirs");
    expect(text.match(/^<<<<<<< /gm)).toHaveLength(1);
    expect(text).toContain("command: pg_dump --verbose app"); // the feature's other edit is merged
    expect(text).toContain("  on-main:"); // and main's new task kept

    const check = await runCli(["check", FILE], { cwd: root });
    expect(check.code).toBe(2);
    expect(check.stdout).toContain(`${FILE}:10:1: an unresolved git merge in lines 10-20: keep one side between <<<<<<< ours and >>>>>>> theirs`);
  });

  it("falls back to git merge-file, with a note, when a side is not a schedule file", async () => {
    const root = await repo(await tempDir(), true);
    await branches(root, base + task("on-main", "added on main"), base.replace("version: 1", "version: [1"));
    const merge = await git(root, ["merge", "-q", "feature", "-m", "merge"]);
    expect(merge.stderr).toContain("their version is not a valid schedule file");
    expect(merge.stderr).toContain("merging it line by line with git merge-file instead");
    const text = await readFile(path.join(root, FILE), "utf8");
    // merge-file merged the two non-overlapping edits line by line.
    expect(merge.code).toBe(0);
    expect(text).toContain("version: [1");
    expect(text).toContain("  on-main:");
  });
});
