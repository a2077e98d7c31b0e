import fs from "node:fs/promises";
import path from "node:path";
import { mergeSchedules, type MergeConflict } from "../lib/git/merge-schedules";
import { runGit } from "../lib/git/run-git";
import { formatYamlIssue } from "../lib/yaml";
import { UsageError } from "./cli-error";
import { EXIT, type CliIo } from "./cli-io";
import { plural } from "./plural";

export interface MergeDriverOptions {
  markerSize?: string;
  labels: { ours?: string; base?: string; theirs?: string };
  diff3?: boolean;
}

/**
 * `merge-driver %O %A %B [%P]`: git's merge driver for the schedule file (README "Merging the
 * file in your clone"). Merges per task with mergeSchedules and writes the result to %A; exit 0
 * when clean, 1 when conflicts are left (markers around the conflicting tasks only). When a side
 * is not a valid schedule file, falls back to `git merge-file` and says so on stderr.
 */
export async function mergeDriverCommand(files: string[], options: MergeDriverOptions, io: CliIo): Promise<number> {
  if (files.length < 3 || files.length > 4) throw new UsageError("expects %O %A %B and optionally %P: the base, ours (written with the result) and theirs, then the file's path");
  const [baseFile, oursFile, theirsFile] = files.map((file) => path.resolve(io.cwd, file)) as [string, string, string];
  const shown = files[3] ?? files[1]!;
  const markerSize = options.markerSize === undefined ? 7 : Number(options.markerSize);
  if (!Number.isInteger(markerSize) || markerSize < 1 || markerSize > 100) throw new UsageError(`--marker-size must be a whole number from 1 to 100, not ${JSON.stringify(options.markerSize)}`);
  const diff3 = options.diff3 ?? (await conflictStyleIsDiff3(io));
  const labels = { ours: options.labels.ours ?? "ours", base: options.labels.base ?? "base", theirs: options.labels.theirs ?? "theirs" };

  const [base, ours, theirs] = await Promise.all([baseFile, oursFile, theirsFile].map((file) => fs.readFile(file, "utf8")));
  const outcome = mergeSchedules(base === "" ? null : base, ours!, theirs!, { labels, markerSize, diff3 });
  if (!outcome.ok) {
    const issue = outcome.issues[0];
    io.stderr.write(
      `schedule-sync merge-driver: ${shown}: ${outcome.side === "ours" ? "our" : "their"} version is not a valid schedule file${issue ? ` (${formatYamlIssue(issue)})` : ""}; merging it line by line with git merge-file instead\n`,
    );
    const args = ["merge-file", "--marker-size", String(markerSize), ...(diff3 ? ["--diff3"] : []), "-L", labels.ours, "-L", labels.base, "-L", labels.theirs, oursFile, baseFile, theirsFile];
    const result = await runGit(args, { cwd: io.cwd, env: io.env });
    if (result.code < 0 || result.code > 127) {
      io.stderr.write(result.stderr);
      return EXIT.error;
    }
    return result.code === 0 ? EXIT.ok : EXIT.attention;
  }

  await fs.writeFile(oursFile, outcome.text);
  const counts = new Map<string, number>();
  for (const pick of outcome.picks.values()) counts.set(pick, (counts.get(pick) ?? 0) + 1);
  const taken = [
    counts.get("theirs") ? `${plural(counts.get("theirs")!, "task")} from ${labels.theirs}` : "",
    counts.get("merged") ? `${plural(counts.get("merged")!, "task")} merged field by field` : "",
  ].filter(Boolean);
  const summary = taken.length > 0 ? taken.join(", ") : "nothing to take from theirs";
  if (outcome.conflicts.length === 0) {
    io.stderr.write(`schedule-sync merge-driver: ${shown}: merged per task (${summary})\n`);
    return EXIT.ok;
  }
  io.stderr.write(`schedule-sync merge-driver: ${shown}: merged per task (${summary}); ${plural(outcome.conflicts.length, "conflict")} left:\n`);
  for (const conflict of outcome.conflicts) io.stderr.write(`  ${describeConflict(conflict)}\n`);
  return EXIT.attention;
}

function describeConflict(conflict: MergeConflict): string {
  const where = `lines ${conflict.lines[0]}-${conflict.lines[1]}`;
  if (conflict.part !== "task") return `${where}: the text ${conflict.part === "head" ? "before" : "after"} the tasks was changed on both sides`;
  const what =
    conflict.kind === "modify_delete" ? "changed here, deleted there" : conflict.kind === "delete_modify" ? "deleted here, changed there" : `both changed ${conflict.fields.join(", ")}`;
  return `${where}: task ${conflict.id}: ${what}`;
}

async function conflictStyleIsDiff3(io: CliIo): Promise<boolean> {
  try {
    const result = await runGit(["config", "--get", "merge.conflictStyle"], { cwd: io.cwd, env: io.env });
    return /^z?diff3$/.test(result.stdout.trim());
  } catch {
    return false;
  }
}
