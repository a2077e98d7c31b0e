/**
 * A schedule file of `n` tasks laid out the way people write them: a comment per task, quoted
 * cron expressions, a few zones, flow tags, some descriptions. About 220 bytes per task
 * (10,000 tasks ≈ 2.2 MiB, 50,000 ≈ 11 MiB).
 */
export function sampleSchedule(n: number): string {
  const parts = ["# benchmark schedule\nversion: 1\ntasks:\n"];
  for (let i = 0; i < n; i++) {
    parts.push(
      `  # task ${i}\n  task-${i}:\n    name: Task number ${i}\n    schedule: "${i % 60} ${i % 24} * * *"\n` +
        `    timezone: ${i % 3 === 0 ? "Europe/Berlin" : "UTC"}\n    command: /opt/scripts/run.sh --task ${i}\n` +
        `    enabled: ${i % 5 !== 0}\n    description: Runs job number ${i}\n    tags: [ops, group-${i % 7}]\n`,
    );
  }
  return parts.join("");
}

/** The file with task `id`'s name changed, as a person would save it. */
export function renameInText(text: string, id: string, name: string): string {
  const at = text.indexOf(`\n  ${id}:\n`);
  if (at === -1) throw new Error(`no task ${id} in the sample`);
  const nameAt = text.indexOf("    name: ", at) + "    name: ".length;
  return text.slice(0, nameAt) + name + text.slice(text.indexOf("\n", nameAt));
}
