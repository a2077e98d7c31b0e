import { defineConfig } from "prisma/config";

// Used by the Prisma CLI only (generate, and migrate status/deploy where the engine exists).
// The app connects through driver adapters in lib/db/create-database.ts.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres" },
});
