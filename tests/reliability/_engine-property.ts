import fs from "node:fs/promises";
import fc from "fast-check";
import { isMap, parseDocument } from "yaml";
import { expect } from "vitest";
import { statusOf } from "@/lib/api/error-status";
import { isCodedError } from "@/lib/errors";
import { createSqlSyncStorage } from "@/lib/sync/storage/sql-sync-storage";
import { proposeMerge } from "@/lib/sync/reconcile/resolve-conflict";
import { normalizeTask } from "@/lib/tasks/task-schema";
import type { Database } from "@/lib/db/create-database";
import { createHarness, type Harness } from "../_support/engine-harness";
import { assertConverged, convergenceViolations, snapshot } from "../_support/invariants";

/**
 * Issue #7's invariant, as a property over the real engine, database and file: after ANY
 * sequence of hand edits (including a broken or deleted file), API writes (with and
 * without a version), syncs in every direction (forced, dry), and conflict resolutions —
 * once every conflict is resolved and a sync has run, YAML tasks == DB tasks == base, and
 * the sync after that changes nothing. Used by invariants.test.ts and, with more runs,
 * invariants.stress.ts.
 */

const IDS = ["alpha", "bravo", "charlie", "delta", "echo"];
const FIELDS = {
  name: fc.constantFrom("Backup", "Cleanup", "Report", "yes", "123", "a: b", "# hash", "naïve ✓"),
  schedule: fc.constantFrom("0 2 * * *", "*/5 * * * *", "0  3 * * 1", "30 4 1 * *"),
  command: fc.constantFrom("/bin/a", "/bin/b --flag", "echo 'x'", "run.sh > /dev/null"),
  enabled: fc.boolean(),
  description: fc.constantFrom(null, "nightly", "- dash", ""),
  tags: fc.constantFrom<string[]>([], ["ops"], ["ops", "db"], ["x"]).map((tags) => [...tags]),
} as const;
type Field = keyof typeof FIELDS;
const fieldEdit = fc.constantFrom(...(Object.keys(FIELDS) as Field[])).chain((field) => FIELDS[field].map((value) => ({ field, value })));
const id = fc.constantFrom(...IDS);
const body = fc.record({ name: FIELDS.name, schedule: FIELDS.schedule, command: FIELDS.command, enabled: FIELDS.enabled, tags: FIELDS.tags });

const op = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("yaml_edit" as const), id, edit: fieldEdit }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("yaml_create" as const), id, body }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("yaml_delete" as const), id }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("yaml_break" as const), text: fc.constantFrom("version: 1\ntasks: {oops\n", "", "\u0000binary", "tasks: []\n") }) },
  { weight: 1, arbitrary: fc.constant({ kind: "yaml_remove_file" as const }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("api_patch" as const), id, edit: fieldEdit, version: fc.constantFrom("current", "stale", "none") }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("api_create" as const), id, body }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("api_delete" as const), id }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("sync" as const),
      direction: fc.constantFrom("bidirectional", "bidirectional", "yaml_to_db", "db_to_yaml"),
      force: fc.boolean(),
      dryRun: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("resolve" as const), pick: fc.nat(), resolution: fc.constantFrom("keep_yaml", "keep_db", "merge") }) },
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

/** Runs one operation; the refusals a user can meet (409, 404, invalid file) are part of the game. */
async function apply(h: Harness, o: Op, lastGood: { text: string | null }): Promise<void> {
  const readDoc = async () => {
    let text: string;
    try {
      text = await h.readYaml();
    } catch {
      text = lastGood.text ?? "version: 1\ntasks: {}\n";
    }
    const doc = parseDocument(text);
    // A person fixes a broken file before editing it again.
    if (doc.errors.length > 0 || !isMap(doc.get("tasks")) || doc.get("version") !== 1) return parseDocument(lastGood.text ?? "version: 1\ntasks: {}\n");
    return doc;
  };
  const saveDoc = async (doc: ReturnType<typeof parseDocument>) => {
    const text = String(doc);
    await h.writeYaml(text);
    lastGood.text = text;
  };
  const refusals = async (work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (error) {
      if (!isCodedError(error) || ![400, 404, 409].includes(statusOf(error.code))) throw error;
    }
  };
  switch (o.kind) {
    case "yaml_edit": {
      const doc = await readDoc();
      if (!doc.hasIn(["tasks", o.id])) return;
      doc.setIn(["tasks", o.id, o.edit.field], o.edit.value);
      return saveDoc(doc);
    }
    case "yaml_create": {
      const doc = await readDoc();
      doc.setIn(["tasks", o.id], doc.createNode(o.body));
      return saveDoc(doc);
    }
    case "yaml_delete": {
      const doc = await readDoc();
      doc.deleteIn(["tasks", o.id]);
      return saveDoc(doc);
    }
    case "yaml_break":
      return h.writeYaml(o.text);
    case "yaml_remove_file":
      return fs.rm(h.yamlPath, { force: true });
    case "api_patch":
      return refusals(async () => {
        const current = (await h.dbTasks()).get(o.id);
        const stored = current ? ((await h.db.query<{ version: number }>(`SELECT version FROM tasks WHERE id = $1`, [o.id]))[0]?.version ?? 1) : 1;
        const version = o.version === "none" ? undefined : o.version === "current" ? stored : Math.max(0, stored - 1);
        // As the route does: the patched task is parsed (normalized) before it reaches the engine.
        await h.engine.writeTask({ kind: "patch", id: o.id, version, patch: (t) => normalizeTask({ ...t, [o.edit.field]: o.edit.value }) });
      });
    case "api_create":
      return refusals(() => h.engine.writeTask({ kind: "create", task: normalizeTask({ id: o.id, ...o.body }) }));
    case "api_delete":
      return refusals(() => h.engine.writeTask({ kind: "delete", id: o.id }));
    case "sync":
      return refusals(() => h.engine.run({ trigger: "manual", direction: o.direction as "bidirectional", force: o.force, dryRun: o.dryRun }));
    case "resolve":
      return refusals(async () => {
        const open = [...(await createSqlSyncStorage(h.db).reads.loadOpenConflicts()).values()];
        if (open.length === 0) return;
        const c = open[o.pick % open.length]!;
        const merged = o.resolution === "merge" && c.yaml && c.db ? proposeMerge(c.base, c.yaml, c.db).task : undefined;
        await h.engine.resolveConflict(c.id, merged ? "merge" : o.resolution === "merge" ? "keep_yaml" : (o.resolution as "keep_yaml" | "keep_db"), merged);
      });
  }
}

/** Fix the file if it is broken, resolve every conflict, sync — until nothing is open (bounded). */
async function settle(h: Harness, lastGood: { text: string | null }): Promise<void> {
  const s = await snapshot(h.db, h.yamlPath);
  if (s.yamlText !== null && !s.yaml) await h.writeYaml(lastGood.text ?? "version: 1\ntasks: {}\n");
  for (let round = 0; round < 6; round++) {
    await h.engine.run({ trigger: "manual" });
    const open = [...(await createSqlSyncStorage(h.db).reads.loadOpenConflicts()).values()];
    if (open.length === 0) {
      // A resolution asks the convergence loop for a follow-up run: let it finish.
      await h.engine.converge();
      return;
    }
    for (const [i, c] of open.entries()) {
      try {
        await h.engine.resolveConflict(c.id, i % 2 === 0 ? "keep_yaml" : "keep_db");
      } catch (error) {
        if (!isCodedError(error) || statusOf(error.code) !== 409) throw error;
      }
    }
  }
  throw new Error("conflicts still open after 6 rounds of resolving and syncing");
}

/** Counts for the scenario summary: operations run, failures among them, runs that broke the invariant. */
export interface InvariantStats {
  ops: number;
  /** Broken or removed files, and API writes with a stale version. */
  injected: number;
  /** Sequences after which YAML, DB and base did not agree (the property stops at the first). */
  violated: number;
}

/** Runs the property `runs` times over `db` (emptied for each run); returns how many ran. */
export async function checkSyncInvariant(db: Database, options: { runs: number; seed: number; stats?: InvariantStats }): Promise<number> {
  let runs = 0;
  const stats = options.stats ?? { ops: 0, injected: 0, violated: 0 };
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 14 }), async (ops) => {
      runs++;
      const h = await createHarness(db);
      const lastGood: { text: string | null } = { text: null };
      try {
        for (const o of ops) {
          stats.ops++;
          if (o.kind === "yaml_break" || o.kind === "yaml_remove_file" || (o.kind === "api_patch" && o.version === "stale")) stats.injected++;
          await apply(h, o, lastGood);
        }
        await settle(h, lastGood);
        const converged = assertConverged(await snapshot(h.db, h.yamlPath));
        const again = await h.engine.run({ trigger: "manual" });
        expect(again.changedTaskIds, "a sync after a sync changes nothing").toEqual([]);
        expect(await h.readYaml()).toBe(converged.yamlText);
      } catch (error) {
        stats.violated++;
        const state = await snapshot(h.db, h.yamlPath).catch(() => null);
        throw new Error(`${(error as Error).message}\nops: ${JSON.stringify(ops)}\nviolations: ${state ? convergenceViolations(state).join("; ") : "?"}`);
      } finally {
        await h.close();
      }
    }),
    { numRuns: options.runs, seed: options.seed, endOnFailure: true },
  );
  return runs;
}
