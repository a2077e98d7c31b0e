import { randomBytes } from "node:crypto";
import pg from "pg";
import { createDatabase, type Database, type DbKind } from "@/lib/db/create-database";
import { migrate } from "@/lib/db/migrate";

/** Both databases the product supports; integration suites run once per kind. */
export const DB_KINDS: readonly DbKind[] = ["pglite", "postgresql"];

export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase {
  kind: DbKind;
  /** Set for PostgreSQL: the URL of the fresh database. */
  url: string | undefined;
  drop(): Promise<void>;
}

/** A fresh, empty PostgreSQL database for one suite; dropped afterwards. */
export async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `schedule_sync_test_${Date.now()}_${randomBytes(3).toString("hex")}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(`PostgreSQL is not reachable at ${POSTGRES_ADMIN_URL} (set TEST_POSTGRES_URL): ${(error as Error).message}`);
  }
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}

/** A migrated database of `kind` opened in this process: PGlite in memory, or a fresh PostgreSQL database. */
export async function openTestDatabase(kind: DbKind): Promise<{ db: Database; url: string | undefined; drop(): Promise<void> }> {
  if (kind === "pglite") {
    const db = await createDatabase({ pgliteDir: "memory://" });
    await migrate(db);
    return { db, url: undefined, drop: () => db.close() };
  }
  const created = await createPostgresDatabase();
  const db = await createDatabase({ databaseUrl: created.url });
  await migrate(db);
  return {
    db,
    url: created.url,
    drop: async () => {
      await db.close();
      await created.drop();
    },
  };
}
