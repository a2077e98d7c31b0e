import { changedFields, type Task, type TaskField } from "@/lib/tasks/task-fields";
import { FIELD_LABELS } from "./format";

/**
 * A conflict's fields sorted by what they need: `clash` fields were changed on both sides to
 * different values (a person must pick); `fromYaml` / `fromDb` were changed on one side only
 * (or to the same value on both) and merge on their own. `deletedIn` names the side that
 * deleted the task; `createdOnBoth` is two creations with no agreed version.
 */
export interface ConflictFields {
  clash: TaskField[];
  fromYaml: TaskField[];
  fromDb: TaskField[];
  deletedIn: "yaml" | "db" | null;
  createdOnBoth: boolean;
}

export function conflictFields(base: Task | null, yaml: Task | null, db: Task | null): ConflictFields {
  if (yaml === null || db === null) {
    const kept = yaml ?? db;
    const changed = kept && base ? changedFields(base, kept) : [];
    return { clash: [], fromYaml: yaml ? changed : [], fromDb: db ? changed : [], deletedIn: yaml === null ? "yaml" : "db", createdOnBoth: false };
  }
  const differing = changedFields(yaml, db);
  if (base === null) return { clash: differing, fromYaml: [], fromDb: [], deletedIn: null, createdOnBoth: true };
  const inYaml = changedFields(base, yaml);
  const inDb = changedFields(base, db);
  const clash = differing.filter((f) => inYaml.includes(f) && inDb.includes(f));
  return {
    clash,
    fromYaml: inYaml.filter((f) => !clash.includes(f)),
    fromDb: inDb.filter((f) => !clash.includes(f)),
    deletedIn: null,
    createdOnBoth: false,
  };
}

export function fieldList(fields: readonly TaskField[]): string {
  return fields.map((f) => FIELD_LABELS[f]).join(", ");
}

/**
 * The conflict in one sentence: "Schedule was changed differently on both sides; Description
 * (DB) merges on its own." / "Deleted in the YAML file, while the DB changed Command."
 */
export function describeConflictFields(fields: ConflictFields): string {
  if (fields.deletedIn) {
    const deleter = fields.deletedIn === "yaml" ? "the YAML file" : "the database";
    const editor = fields.deletedIn === "yaml" ? "the database" : "the YAML file";
    const changed = fields.deletedIn === "yaml" ? fields.fromDb : fields.fromYaml;
    return changed.length ? `Deleted in ${deleter}, while ${editor} changed ${fieldList(changed)}.` : `Deleted in ${deleter}, while ${editor} still has it.`;
  }
  if (fields.createdOnBoth) return `Created on both sides with different ${fieldList(fields.clash) || "values"}.`;
  const parts = [fields.clash.length ? `${fieldList(fields.clash)} ${fields.clash.length === 1 ? "was" : "were"} changed differently on both sides` : "No field clashes"];
  const merging = [...fields.fromYaml.map((f) => `${FIELD_LABELS[f]} (YAML)`), ...fields.fromDb.map((f) => `${FIELD_LABELS[f]} (DB)`)];
  if (merging.length) parts.push(`${merging.join(", ")} ${merging.length === 1 ? "merges" : "merge"} on ${merging.length === 1 ? "its" : "their"} own`);
  return `${parts.join("; ")}.`;
}
