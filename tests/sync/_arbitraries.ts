import fc from "fast-check";
import type { ReconcileOptions } from "../../lib/sync/reconcile/plan";
import type { Task, TaskBody } from "../../lib/tasks/task-schema";
import type { SyncState } from "./_apply-plan";

/** A small id pool and two or three values per field, so that equal edits and clashes both happen often. */
export const IDS = ["a", "b", "c", "d"] as const;

const fields = {
  name: fc.constantFrom("Backup", "Cleanup"),
  schedule: fc.constantFrom("0 2 * * *", "*/5 * * * *"),
  timezone: fc.constantFrom("UTC", "Europe/Berlin"),
  command: fc.constantFrom("/bin/backup", "/bin/clean"),
  enabled: fc.boolean(),
  description: fc.constantFrom<string | null>(null, "nightly"),
  tags: fc.constantFrom<string[]>([], ["ops"], ["ops", "db"]).map((tags) => [...tags]),
};

const body: fc.Arbitrary<TaskBody> = fc.record(fields);
const patch: fc.Arbitrary<Partial<TaskBody>> = fc.record(fields, { requiredKeys: [] });

/** What one side did to the base since the last sync. */
type Edit = { kind: "keep" } | { kind: "delete" } | { kind: "patch"; patch: Partial<TaskBody> } | { kind: "replace"; body: TaskBody };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: "keep" } as const) },
  { weight: 1, arbitrary: fc.constant({ kind: "delete" } as const) },
  { weight: 3, arbitrary: patch.map((p) => ({ kind: "patch", patch: p }) as const) },
  { weight: 1, arbitrary: body.map((b) => ({ kind: "replace", body: b }) as const) },
);

// A patch applied to an absent task creates one from these defaults, so identical
// concurrent creations come up too.
const created: TaskBody = {
  name: "Backup",
  schedule: "0 2 * * *",
  timezone: "UTC",
  command: "/bin/backup",
  enabled: true,
  description: null,
  tags: [],
};

function applyEdit(id: string, base: Task | null, e: Edit): Task | null {
  switch (e.kind) {
    case "keep":
      return base && freeze({ ...base });
    case "delete":
      return null;
    case "patch":
      return freeze({ ...(base ?? { id, ...created }), ...e.patch });
    case "replace":
      return freeze({ id, ...e.body });
  }
}

// Frozen so a reconcile that mutated its input would throw.
function freeze(t: Task): Task {
  return Object.freeze({ ...t, tags: Object.freeze([...t.tags]) as string[] });
}

const perId = fc.record({
  base: fc.option(body, { nil: null }),
  yaml: edit,
  db: edit,
  open: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
});

/** A whole sync state: base, YAML, DB and open conflicts over the small id pool. */
export const syncState: fc.Arbitrary<SyncState> = fc.tuple(...IDS.map(() => perId)).map((entries) => {
  const state: SyncState = { base: new Map(), yaml: new Map(), db: new Map(), open: new Set() };
  entries.forEach((entry, i) => {
    const id = IDS[i];
    const base = entry.base && freeze({ id, ...entry.base });
    const yaml = applyEdit(id, base, entry.yaml);
    const db = applyEdit(id, base, entry.db);
    if (base) state.base.set(id, base);
    if (yaml) state.yaml.set(id, yaml);
    if (db) state.db.set(id, db);
    if (entry.open) state.open.add(id);
  });
  return state;
});

export const options: fc.Arbitrary<ReconcileOptions> = fc.record({
  direction: fc.constantFrom("bidirectional", "yaml_to_db", "db_to_yaml"),
  force: fc.boolean(),
  autoMerge: fc.boolean(),
});

export const autoMerge = fc.boolean();
