import type { Task } from "@/lib/tasks/task-schema";
import type { SyncSnapshot } from "../_support/invariants";

/**
 * Scenario 3/4 of issue #7: the same tasks edited in the YAML file and through the API at
 * the same time, while syncs run. `planMixedEdits` makes the edits; `judgeMixedEdits`
 * decides, from what each writer was told (API responses) and saw (the editor's record),
 * whether every write is accounted for.
 *
 * A write is accounted for when it is in the final state of both sides, or one side of an
 * open conflict, or was refused with a clear answer (409/404), or was overwritten by a
 * later write whose author had seen it. Anything else is a lost write. Edits of the same
 * field (or edit vs delete, or two creations) made without either side seeing the other
 * must end as a conflict.
 */

export const GROUPS = {
  y: "YAML edits the name",
  a: "API edits the command",
  m: "YAML edits the name, API the command (disjoint: merge)",
  s: "both edit the schedule (API with version)",
  yd: "YAML deletes, API edits the command (with version)",
  dy: "API deletes (with version), YAML edits the name",
  yc: "YAML creates",
  ac: "API creates",
  bc: "both create the same id differently",
  yx: "YAML deletes",
  ax: "API deletes",
} as const;
export type Group = keyof typeof GROUPS;

const SEEDED: Group[] = ["y", "a", "m", "s", "yd", "dy", "yx", "ax"];
export const Y_SCHEDULE = "1 1 * * *";
export const A_SCHEDULE = "2 2 * * *";

export function seedTask(id: string): Task {
  return { id, name: `Seed ${id}`, schedule: "0 3 * * *", timezone: "UTC", command: `/bin/seed ${id}`, enabled: true, description: null, tags: ["seed"] };
}

/** Ids `<group>-<round>-<n>`: tasks that exist before the edits start. */
export function seededIds(perGroup: number, round = 0): string[] {
  return SEEDED.flatMap((g) => Array.from({ length: perGroup }, (_, i) => `${g}-${round}-${i}`));
}

export interface ApiOp {
  label: string;
  method: string;
  path: string;
  body?: unknown;
}
export interface EditorOp {
  label: string;
  kind: "set" | "delete" | "create";
  id: string;
  field?: string;
  value?: unknown;
  body?: Record<string, unknown>;
}

export interface MixedPlan {
  ids: { id: string; group: Group }[];
  api: ApiOp[];
  editor: EditorOp[];
}

const yName = (id: string) => `YAML ${id}`;
const aCommand = (id: string) => `/bin/api ${id}`;
const bodyOf = (task: Task): Record<string, unknown> => {
  const { id: _id, ...body } = task;
  return body;
};

/** Every edit of one round; `versions` are the DB versions read before any edit starts. */
export function planMixedEdits(perGroup: number, versions: ReadonlyMap<string, number>, round = 0): MixedPlan {
  const ids: MixedPlan["ids"] = [];
  const api: ApiOp[] = [];
  const editor: EditorOp[] = [];
  const version = (id: string) => {
    const v = versions.get(id);
    if (v === undefined) throw new Error(`no version read for ${id}`);
    return v;
  };
  for (const group of Object.keys(GROUPS) as Group[]) {
    for (let n = 0; n < perGroup; n++) {
      const id = `${group}-${round}-${n}`;
      ids.push({ id, group });
      const label = id;
      switch (group) {
        case "y":
          editor.push({ label, kind: "set", id, field: "name", value: yName(id) });
          break;
        case "a":
          api.push({ label, method: "PATCH", path: `/api/tasks/${id}`, body: { command: aCommand(id) } });
          break;
        case "m":
          editor.push({ label, kind: "set", id, field: "name", value: yName(id) });
          api.push({ label, method: "PATCH", path: `/api/tasks/${id}`, body: { command: aCommand(id) } });
          break;
        case "s":
          editor.push({ label, kind: "set", id, field: "schedule", value: Y_SCHEDULE });
          api.push({ label, method: "PATCH", path: `/api/tasks/${id}`, body: { schedule: A_SCHEDULE, version: version(id) } });
          break;
        case "yd":
          editor.push({ label, kind: "delete", id });
          api.push({ label, method: "PATCH", path: `/api/tasks/${id}`, body: { command: aCommand(id), version: version(id) } });
          break;
        case "dy":
          editor.push({ label, kind: "set", id, field: "name", value: yName(id) });
          api.push({ label, method: "DELETE", path: `/api/tasks/${id}?version=${version(id)}` });
          break;
        case "yc":
          editor.push({ label, kind: "create", id, body: bodyOf({ ...seedTask(id), name: yName(id) }) });
          break;
        case "ac":
          api.push({ label, method: "POST", path: "/api/tasks", body: { ...seedTask(id), command: aCommand(id) } });
          break;
        case "bc":
          editor.push({ label, kind: "create", id, body: bodyOf({ ...seedTask(id), schedule: Y_SCHEDULE }) });
          api.push({ label, method: "POST", path: "/api/tasks", body: { ...seedTask(id), schedule: A_SCHEDULE } });
          break;
        case "yx":
          editor.push({ label, kind: "delete", id });
          break;
        case "ax":
          api.push({ label, method: "DELETE", path: `/api/tasks/${id}` });
          break;
      }
    }
  }
  return { ids, api, editor };
}

export interface ApiResult {
  label: string;
  status: number;
  body: any;
}
export interface EditorResult {
  label: string;
  saw: unknown;
}

export type Outcome =
  | "landed"
  | "conflict"
  | "api_first_then_yaml"
  | "yaml_first_api_refused"
  | "deleted";

export interface Judgement {
  /** Per task: how its edits ended; `lost` lists every write not accounted for. */
  outcomes: Map<string, Outcome>;
  lost: string[];
  counts: Record<string, number>;
}

/**
 * Judges one round from the state after the writers finished and one more sync ran
 * (conflicts still open). `snap.yaml` must be valid.
 */
export function judgeMixedEdits(plan: MixedPlan, api: ApiResult[], editor: EditorResult[], snap: SyncSnapshot): Judgement {
  const apiBy = new Map(api.map((r) => [r.label, r]));
  const edBy = new Map(editor.map((r) => [r.label, r]));
  const open = new Map(snap.open.map((c) => [c.taskId, c]));
  const outcomes = new Map<string, Outcome>();
  const lost: string[] = [];
  const yaml = snap.yaml ?? new Map<string, Task>();

  for (const { id, group } of plan.ids) {
    const a = apiBy.get(id);
    const e = edBy.get(id);
    const y = yaml.get(id) ?? null;
    const d = snap.db.get(id) ?? null;
    const conflict = open.get(id) ?? null;
    const seed = seedTask(id);
    const problem = (what: string) => lost.push(`${id} [${GROUPS[group]}]: ${what} (api ${a?.status} ${JSON.stringify(a?.body)?.slice(0, 200)}; editor saw ${JSON.stringify(e?.saw)}; yaml ${JSON.stringify(y)}; db ${JSON.stringify(d)}; conflict ${conflict?.kind ?? "none"})`);
    const both = (check: (t: Task) => boolean) => y !== null && d !== null && check(y) && check(d);
    const neither = () => y === null && d === null;
    const apiOk = (status: number) => a?.status === status && !a.body?.conflict;
    const apiConflict = (status: number, kind: string) => a?.status === status && a.body?.conflict?.kind === kind && conflict?.kind === kind;

    switch (group) {
      case "y":
        if (!conflict && both((t) => t.name === yName(id) && t.command === seed.command)) outcomes.set(id, "landed");
        else problem("the YAML name edit did not land on both sides");
        break;
      case "a":
        if (apiOk(200) && !conflict && both((t) => t.command === aCommand(id) && t.name === seed.name)) outcomes.set(id, "landed");
        else problem("the API command edit did not land on both sides");
        break;
      case "m":
        if (apiOk(200) && !conflict && both((t) => t.name === yName(id) && t.command === aCommand(id))) outcomes.set(id, "landed");
        else problem("disjoint edits were not both kept");
        break;
      case "s":
        if (apiConflict(202, "both_modified") && e?.saw === seed.schedule && conflict!.yaml?.schedule === Y_SCHEDULE && conflict!.db?.schedule === A_SCHEDULE && y?.schedule === Y_SCHEDULE && d?.schedule === A_SCHEDULE) {
          outcomes.set(id, "conflict");
        } else if (apiOk(200) && e?.saw === A_SCHEDULE && !conflict && both((t) => t.schedule === Y_SCHEDULE)) {
          outcomes.set(id, "api_first_then_yaml");
        } else if (a?.status === 409 && a.body?.error?.code === "stale_version" && e?.saw === seed.schedule && !conflict && both((t) => t.schedule === Y_SCHEDULE)) {
          outcomes.set(id, "yaml_first_api_refused");
        } else problem("same-field edits neither became a conflict nor were ordered");
        break;
      case "yd":
        if (apiConflict(202, "delete_modify") && y === null && d?.command === aCommand(id) && isTask(e?.saw) && (e!.saw as Task).command === seed.command) {
          outcomes.set(id, "conflict");
        } else if (apiOk(200) && isTask(e?.saw) && (e!.saw as Task).command === aCommand(id) && !conflict && neither()) {
          outcomes.set(id, "api_first_then_yaml");
        } else if (a?.status === 404 && isTask(e?.saw) && (e!.saw as Task).command === seed.command && !conflict && neither()) {
          outcomes.set(id, "yaml_first_api_refused");
        } else problem("delete vs edit neither became a conflict nor were ordered");
        break;
      case "dy":
        if (apiConflict(202, "modify_delete") && d === null && y?.name === yName(id) && e?.saw === seed.name) {
          outcomes.set(id, "conflict");
        } else if (apiOk(200) && e?.saw === "absent" && !conflict && neither()) {
          outcomes.set(id, "api_first_then_yaml");
        } else if (a?.status === 409 && a.body?.error?.code === "stale_version" && e?.saw === seed.name && !conflict && both((t) => t.name === yName(id))) {
          outcomes.set(id, "yaml_first_api_refused");
        } else problem("edit vs delete neither became a conflict nor were ordered");
        break;
      case "yc":
        if (!conflict && both((t) => t.name === yName(id))) outcomes.set(id, "landed");
        else problem("the YAML creation did not land on both sides");
        break;
      case "ac":
        if (a?.status === 201 && !conflict && both((t) => t.command === aCommand(id))) outcomes.set(id, "landed");
        else problem("the API creation did not land on both sides");
        break;
      case "bc":
        if (apiConflict(202, "both_created") && e?.saw === "absent" && y?.schedule === Y_SCHEDULE && d?.schedule === A_SCHEDULE) {
          outcomes.set(id, "conflict");
        } else if (a?.status === 201 && !a.body?.conflict && isTask(e?.saw) && (e!.saw as Task).schedule === A_SCHEDULE && !conflict && both((t) => t.schedule === Y_SCHEDULE)) {
          outcomes.set(id, "api_first_then_yaml");
        } else if (a?.status === 409 && a.body?.error?.code === "already_exists" && e?.saw === "absent" && !conflict && both((t) => t.schedule === Y_SCHEDULE)) {
          outcomes.set(id, "yaml_first_api_refused");
        } else problem("two creations neither became a conflict nor were ordered");
        break;
      case "yx":
        if (!conflict && neither()) outcomes.set(id, "deleted");
        else problem("the YAML deletion did not land on both sides");
        break;
      case "ax":
        if (apiOk(200) && !conflict && neither()) outcomes.set(id, "deleted");
        else problem("the API deletion did not land on both sides");
        break;
    }
  }
  const counts: Record<string, number> = {};
  for (const outcome of outcomes.values()) counts[outcome] = (counts[outcome] ?? 0) + 1;
  counts.lost = lost.length;
  return { outcomes, lost, counts };
}

function isTask(value: unknown): value is Task {
  return typeof value === "object" && value !== null && "schedule" in value;
}
