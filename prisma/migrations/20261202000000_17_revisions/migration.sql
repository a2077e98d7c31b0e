-- File revisions (issue #17): every version of the schedule file the server wrote or accepted.
-- A revision is stored as its delta against the one before it (the tasks that changed, with
-- their values and digests before and after); sync_revision_head holds the tasks of the newest
-- revision. Any stored revision is the head with the later deltas undone, so old revisions are
-- pruned by deleting rows (SYNC_REVISIONS, 30 days). Lineage reads the digests to find which
-- revision a changed file derives from. Nothing here moves the sync generation.

-- CreateTable
CREATE TABLE "sync_revisions" (
    "seq" BIGSERIAL NOT NULL,
    "id" UUID NOT NULL,
    "run_id" UUID,
    "source" TEXT NOT NULL,
    "checksum" TEXT NOT NULL,
    "task_count" INTEGER NOT NULL,
    "parent_id" UUID,
    "ancestor_id" UUID,
    "added" INTEGER NOT NULL DEFAULT 0,
    "changed" INTEGER NOT NULL DEFAULT 0,
    "removed" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sync_revisions_pkey" PRIMARY KEY ("seq")
);

-- CreateIndex
CREATE UNIQUE INDEX "sync_revisions_id_key" ON "sync_revisions"("id");

-- CreateIndex
CREATE INDEX "sync_revisions_checksum_idx" ON "sync_revisions"("checksum");

-- CreateTable
CREATE TABLE "sync_revision_changes" (
    "revision_seq" BIGINT NOT NULL,
    "task_id" TEXT NOT NULL,
    "before" JSONB,
    "after" JSONB,
    "before_digest" TEXT,
    "after_digest" TEXT,

    CONSTRAINT "sync_revision_changes_pkey" PRIMARY KEY ("revision_seq", "task_id")
);

-- CreateIndex
CREATE INDEX "sync_revision_changes_task_id_revision_seq_idx" ON "sync_revision_changes"("task_id", "revision_seq");

-- AddForeignKey
ALTER TABLE "sync_revision_changes" ADD CONSTRAINT "sync_revision_changes_revision_seq_fkey" FOREIGN KEY ("revision_seq") REFERENCES "sync_revisions"("seq") ON DELETE CASCADE ON UPDATE CASCADE;

-- CreateTable
CREATE TABLE "sync_revision_head" (
    "task_id" TEXT NOT NULL,
    "digest" TEXT NOT NULL,
    "task" JSONB NOT NULL,

    CONSTRAINT "sync_revision_head_pkey" PRIMARY KEY ("task_id")
);
