import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTaskSchema } from "@/lib/tasks/task-schema";
import { DB_KINDS } from "../_support/databases";
import { createHarness, useSuiteDatabase, yamlOf, type Harness } from "../_support/engine-harness";

/**
 * The three-way sync compares normalized tasks: a cron nickname written on one side must read
 * back identical from the other, or every sync after it would see a difference.
 */
describe.each(DB_KINDS)("cron nicknames through the YAML writer and the DB on %s", (kind) => {
  const suite = useSuiteDatabase(kind);
  let h: Harness;
  beforeAll(() => suite.open());
  afterAll(() => suite.drop());
  beforeEach(async () => {
    h = await createHarness(suite.db);
  });
  afterEach(async () => {
    await h.close();
  });

  it("@daily written by hand in the file syncs as 0 0 * * *, stays as written, and the next sync is a no-op", async () => {
    await h.writeYaml(yamlOf({ nightly: { name: "Nightly", schedule: "@daily", command: "x" }, hourly: { name: "Hourly", schedule: "@HOURLY", command: "y" } }));
    expect((await h.engine.run({ trigger: "manual" })).status).toBe("success");
    expect((await h.dbTasks()).get("nightly")?.schedule).toBe("0 0 * * *");
    expect((await h.dbTasks()).get("hourly")?.schedule).toBe("0 * * * *");
    expect((await h.yamlTasks()).get("nightly")?.schedule).toBe("0 0 * * *");
    // The file keeps what the person wrote: the sync had nothing to write back.
    expect(await h.readYaml()).toContain('schedule: "@daily"');
    const again = await h.engine.run({ trigger: "manual" });
    expect(again.counts.inSync).toBe(2);
    expect(again.changedTaskIds).toEqual([]);
  });

  it("@weekly saved through the API reaches the file in 5-field form and reads back equal", async () => {
    await h.writeYaml(yamlOf({}));
    await h.engine.run({ trigger: "manual" });
    // What POST /api/tasks does with a body: parse it with the shared schema, then write.
    const written = await h.engine.writeTask({ kind: "create", task: createTaskSchema.parse({ id: "w2", name: "W2", schedule: "@weekly", command: "z" }) });
    expect(written.task?.schedule).toBe("0 0 * * 0");
    expect(await h.readYaml()).toMatch(/w2:[\s\S]*schedule: "?0 0 \* \* 0"?/);
    expect((await h.yamlTasks()).get("w2")).toEqual((await h.dbTasks()).get("w2"));
    expect((await h.engine.run({ trigger: "manual" })).changedTaskIds).toEqual([]);
  });
});
