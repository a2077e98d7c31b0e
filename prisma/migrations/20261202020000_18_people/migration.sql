-- People (issue #18): named users with a role, named API tokens, and the actor of every run.
-- Additive only: new tables and new nullable columns, so existing data keeps working.
--
-- users: a person signs in by password (local), through a trusted auth proxy or by OIDC; the
-- latter two are created on first sight. `username` is stored lower-case. `password_hash` is a
-- scrypt hash (NULL for people who never sign in by password).
-- api_tokens: for people and robots; only the SHA-256 of the secret is kept, with its first
-- characters (`prefix`) so a list can tell tokens apart. Revoked tokens stay listed.
-- sync_runs.actor_*: who or what made a run (user, token, admin_token, file, cron, system, cli).
-- Runs recorded before this migration are given the actor their trigger implies: a person's
-- triggers were all the admin token's then.
-- conflicts.resolved_run_id: the run that closed a conflict (its actor resolved it).

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "username" TEXT NOT NULL,
    "display_name" TEXT,
    "email" TEXT,
    "role" TEXT NOT NULL,
    "password_hash" TEXT,
    "source" TEXT NOT NULL DEFAULT 'local',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_login_at" TIMESTAMPTZ(3),

    CONSTRAINT "users_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "users_role_check" CHECK ("role" IN ('viewer', 'editor', 'admin'))
);

-- CreateIndex
CREATE UNIQUE INDEX "users_username_key" ON "users"("username");

-- CreateTable
CREATE TABLE "api_tokens" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "user_id" UUID,
    "created_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_tokens_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "api_tokens_role_check" CHECK ("role" IN ('viewer', 'editor', 'admin')),
    CONSTRAINT "api_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "api_tokens_name_key" ON "api_tokens"("name");

-- CreateIndex
CREATE UNIQUE INDEX "api_tokens_token_hash_key" ON "api_tokens"("token_hash");

-- AlterTable
ALTER TABLE "sync_runs" ADD COLUMN "actor_kind" TEXT, ADD COLUMN "actor_name" TEXT, ADD COLUMN "actor_id" TEXT;

-- CreateIndex
CREATE INDEX "sync_runs_actor_kind_actor_name_started_at_idx" ON "sync_runs"("actor_kind", "actor_name", "started_at");

-- Backfill: the actor each earlier run's trigger implies.
UPDATE "sync_runs" SET "actor_kind" = CASE
    WHEN "trigger" = 'cron' THEN 'cron'
    WHEN "trigger" = 'watch' THEN 'file'
    WHEN "trigger" IN ('startup', 'converge') THEN 'system'
    ELSE 'admin_token'
  END,
  "actor_name" = CASE WHEN "trigger" IN ('startup', 'converge') THEN "trigger" ELSE NULL END
WHERE "actor_kind" IS NULL;

-- AlterTable
ALTER TABLE "conflicts" ADD COLUMN "resolved_run_id" UUID;
