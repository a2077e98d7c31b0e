import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createDatabase, type Database } from "../../lib/db/create-database";

describe("createDatabase on PGlite", () => {
  let db: Database | null = null;
  let dir: string | null = null;
  afterEach(async () => {
    await db?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    db = null;
    dir = null;
  });

  it("keeps PostgreSQL's shared buffers small: the 128 MB default is resident memory inside PGlite", async () => {
    dir = await mkdtemp(join(tmpdir(), "schedule-sync-db-"));
    db = await createDatabase({ pgliteDir: join(dir, "pglite") });
    expect(await db.query("SHOW shared_buffers")).toEqual([{ shared_buffers: "32MB" }]);
    await db.exec("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')");
    await db.close();
    // Reopened from its folder, with the same setting and the data.
    db = await createDatabase({ pgliteDir: join(dir, "pglite") });
    expect(await db.query("SHOW shared_buffers")).toEqual([{ shared_buffers: "32MB" }]);
    expect(await db.query("SELECT v FROM kept")).toEqual([{ v: "still here" }]);
  });
});
