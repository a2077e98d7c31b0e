-- Used by @socket.io/postgres-adapter to carry large event payloads between instances
-- that share one PostgreSQL (DESIGN.md §9). Harmless, and empty, on PGlite.
CREATE TABLE IF NOT EXISTS "socket_io_attachments" (
    "id" BIGSERIAL UNIQUE,
    "created_at" TIMESTAMPTZ DEFAULT NOW(),
    "payload" BYTEA
);
