import type { RunResult } from "../lib/sync/engine/sync-engine";
import { conflictHint, conflictText, sideCounts } from "./format-plan";
import { plural } from "./plural";
import type { OpenConflict } from "./sync-backend";

const MAX_IDS = 50;

/** The summary of an applied sync run: counts per side, changed ids, conflicts left open. */
export function formatRun(result: RunResult, conflicts: readonly OpenConflict[], where: string): string {
  const { counts } = result;
  const writes = counts.toYaml.create + counts.toYaml.update + counts.toYaml.delete + counts.toDb.create + counts.toDb.update + counts.toDb.delete;
  const lines: string[] = [];
  if (writes === 0 && counts.conflicts === 0) {
    lines.push(`Already in sync: ${plural(counts.inSync, "task")} agree; nothing was written (${result.direction}; ${where}).`);
    return `${lines.join("\n")}\n`;
  }
  lines.push(
    `Synced the YAML file and the database (${result.direction}; ${where}).`,
    `  YAML file: ${sideCounts(counts.toYaml)}`,
    `  database:  ${sideCounts(counts.toDb)}`,
    `  ${counts.inSync} in sync, ${counts.merged} merged, ${plural(counts.conflicts, "conflict")}`,
  );
  if (result.changedTaskIds.length > 0) {
    const shown = result.changedTaskIds.slice(0, MAX_IDS).join(", ");
    const more = result.changedTaskIds.length - MAX_IDS;
    lines.push(`  changed: ${shown}${more > 0 ? `, … and ${more} more (--json lists all)` : ""}`);
  }
  if (counts.conflicts > 0) {
    lines.push(`${counts.conflicts === 1 ? "A conflict remains" : `${counts.conflicts} conflicts remain`} open; both sides of ${counts.conflicts === 1 ? "that task" : "those tasks"} stay as they are:`);
    const width = Math.min(40, Math.max(0, ...conflicts.map((c) => c.taskId.length)));
    const sorted = [...conflicts].sort((a, b) => (a.taskId < b.taskId ? -1 : 1));
    for (const conflict of sorted.slice(0, MAX_IDS)) {
      const fields = conflict.kind === "both_modified" || conflict.kind === "both_created" ? `: ${conflict.fields.join(", ")}` : "";
      lines.push(`  ! ${conflict.taskId.padEnd(width)}  ${conflictText(conflict.kind)}${fields}`);
    }
    if (conflicts.length > MAX_IDS) lines.push(`  … and ${conflicts.length - MAX_IDS} more`);
    lines.push(conflictHint());
  }
  return `${lines.join("\n")}\n`;
}
