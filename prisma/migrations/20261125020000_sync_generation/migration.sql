-- A counter that every statement changing the sync state (tasks, base, conflicts) moves on,
-- whoever runs it: this instance, another one, the CLI or SQL typed by hand. A sync run that
-- finds the counter where the last run of its process left it knows the DB side did not change
-- since, and reconciles only the tasks whose YAML changed (DESIGN.md §4).
CREATE TABLE "sync_generation" (
    "id" BOOLEAN NOT NULL DEFAULT TRUE,
    "value" BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT "sync_generation_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "sync_generation_one_row" CHECK ("id")
);
INSERT INTO "sync_generation" ("id", "value") VALUES (TRUE, 0);

CREATE FUNCTION "bump_sync_generation"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE "sync_generation" SET "value" = "value" + 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER "tasks_bump_sync_generation" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "tasks"
    FOR EACH STATEMENT EXECUTE FUNCTION "bump_sync_generation"();
CREATE TRIGGER "sync_base_bump_sync_generation" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "sync_base"
    FOR EACH STATEMENT EXECUTE FUNCTION "bump_sync_generation"();
CREATE TRIGGER "conflicts_bump_sync_generation" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "conflicts"
    FOR EACH STATEMENT EXECUTE FUNCTION "bump_sync_generation"();
