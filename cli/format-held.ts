import { plural } from "./plural";
import type { HeldTask } from "./sync-backend";

const WHERE = { yaml: "the YAML file", db: "the database" } as const;
const OTHER = { yaml: "the database", db: "the YAML file" } as const;

/** `held`: the mass deletions the delete guard holds, by the side that deleted them. */
export function formatHeld(held: Record<"yaml" | "db", HeldTask[]>, where: string): string {
  if (held.yaml.length + held.db.length === 0) return `No deletions are held (${where}).\n`;
  const lines = [`Held deletions (${where})`];
  for (const side of ["yaml", "db"] as const) {
    if (held[side].length === 0) continue;
    lines.push(`  deleted in ${WHERE[side]}, still in ${OTHER[side]}: ${plural(held[side].length, "task")}`);
    for (const task of held[side]) lines.push(`    ${task.taskId}  (held ${task.heldAt})`);
  }
  lines.push("", "Restore them with `schedule-sync held --restore`, or delete them on the other side too with `schedule-sync held --apply` (add --dry-run to see the list first).");
  return `${lines.join("\n")}\n`;
}

/** What `held --apply` or `--restore` did (or would do, with --dry-run). */
export function formatHeldDecision(results: { deletedIn: "yaml" | "db"; taskIds: string[]; skipped: string[] }[], action: "apply" | "restore", dryRun: boolean): string {
  if (results.length === 0) return "No deletions are held.\n";
  const lines: string[] = [];
  for (const { deletedIn, taskIds, skipped } of results) {
    const verb = action === "apply" ? `delete from ${OTHER[deletedIn]} too` : `restore in ${WHERE[deletedIn]}`;
    lines.push(`${dryRun ? "Would" : "Did"} ${verb}: ${plural(taskIds.length, "task")}${taskIds.length ? ` (${taskIds.join(", ")})` : ""}`);
    if (skipped.length > 0) lines.push(`  left as conflicts, changed since they were held: ${skipped.join(", ")}`);
  }
  return `${lines.join("\n")}\n`;
}
