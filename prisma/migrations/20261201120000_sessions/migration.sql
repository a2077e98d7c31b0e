-- Server-side login sessions (issue #14). The browser's cookie holds a random 256-bit secret;
-- the row holds only its SHA-256, so a copy of the database logs no one in. Expiry is decided
-- with the database's clock (idle: last_seen_at, absolute: created_at), so every instance
-- sharing the database agrees. `credential` says what made the session ("admin_token" today),
-- `credential_fingerprint` a slow hash of that credential (changing ADMIN_TOKEN ends every
-- session it made), `user_id` is for people (issue #18) and NULL until then.

-- CreateTable
CREATE TABLE "sessions" (
    "id" UUID NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "credential" TEXT NOT NULL,
    "credential_fingerprint" TEXT,
    "user_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sessions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "sessions_secret_hash_key" ON "sessions"("secret_hash");

-- CreateIndex
CREATE INDEX "sessions_last_seen_at_idx" ON "sessions"("last_seen_at");
