import fs from "node:fs/promises";
import path from "node:path";
import type pg from "pg";
import { PrismaClient } from "../generated/prisma/client";

export type DbKind = "pglite" | "postgresql";

/**
 * One database handle: the Prisma client plus a raw SQL door for migrations,
 * advisory locks and set-based statements that Prisma has no API for.
 */
export interface SqlSession {
  /** Runs several ;-separated statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** One parameterized statement ($1, $2, …). */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface Database extends SqlSession {
  kind: DbKind;
  prisma: PrismaClient;
  /** The PostgreSQL pool (for LISTEN/NOTIFY users such as the Socket.IO adapter); null on PGlite. */
  pgPool: pg.Pool | null;
  /** Runs `fn` on one dedicated connection (session locks, explicit transactions). */
  session<T>(fn: (session: SqlSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL connection string; unset → PGlite. */
  databaseUrl?: string;
  /** Folder for PGlite's files; "memory://" or unset with no url → in memory. */
  pgliteDir?: string;
}

export async function createDatabase(options: DatabaseOptions): Promise<Database> {
  return options.databaseUrl ? openPostgres(options.databaseUrl) : openPglite(options.pgliteDir);
}

// Each kind's driver is loaded when a database of that kind is opened: importing PGlite alone
// costs ~40 MB of memory, which a server on PostgreSQL never needs (and pg, the reverse).
async function openPostgres(connectionString: string): Promise<Database> {
  const [{ default: pgDriver }, { PrismaPg }] = await Promise.all([import("pg"), import("@prisma/adapter-pg")]);
  const pool = new pgDriver.Pool({ connectionString, max: 10, connectionTimeoutMillis: 10_000 });
  // An idle client losing its server (PostgreSQL restarted) must not crash the process.
  pool.on("error", (error) => console.error(`[db] idle PostgreSQL client error: ${error.message}`));
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    kind: "postgresql",
    prisma,
    pgPool: pool,
    exec: async (sql) => {
      await pool.query(sql);
    },
    query: async (sql, params = []) => (await pool.query(sql, params)).rows,
    session: async (fn) => {
      const client = await pool.connect();
      try {
        return await fn({
          exec: async (sql) => {
            await client.query(sql);
          },
          query: async (sql, params = []) => (await client.query(sql, params)).rows,
        });
      } finally {
        client.release();
      }
    },
    close: async () => {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

/**
 * PGlite sets up PostgreSQL's shared buffers inside its WASM memory and touches all of them at
 * start: the default 128 MB is ~130 MB of resident memory (measured: 300 MB -> 188 MB for a
 * reopened database) that one embedded user's schedule does not need. In the benchmark, 16 or
 * 32 MB made no measurable difference at 10,000 tasks; at 50,000, 16 MB slowed the no-op sync
 * (29 -> 53 ms), hence 32.
 */
const PGLITE_CONF = "shared_buffers=32MB";

async function openPglite(dir: string | undefined): Promise<Database> {
  const inMemory = !dir || dir === "memory://";
  if (!inMemory) await fs.mkdir(path.dirname(path.resolve(dir)), { recursive: true });
  const [{ PGlite }, { PrismaPGlite }] = await Promise.all([import("@electric-sql/pglite"), import("pglite-prisma-adapter")]);
  const options = { postgresqlconf: PGLITE_CONF };
  const client = inMemory ? new PGlite(options) : new PGlite(dir, options);
  await client.waitReady;
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(client) });
  const sql: SqlSession = {
    exec: async (text) => {
      await client.exec(text);
    },
    query: async <T,>(text: string, params: unknown[] = []) => (await client.query<T>(text, params)).rows,
  };
  return {
    kind: "pglite",
    prisma,
    pgPool: null,
    ...sql,
    // PGlite is a single connection already.
    session: (fn) => fn(sql),
    close: async () => {
      await prisma.$disconnect();
      // Closing flushes PGlite's files; a process that exits without it can leave them unusable.
      if (!client.closed) await client.close();
    },
  };
}
