-- File lineage (issue #17): a conflict opened by a run whose file was saved from an older
-- revision keeps that revision, and how many writes older than the latest it was, so the
-- conflict view can say which version the file's side started from (its base column). Null
-- for the usual conflict, whose base is the latest agreed version. No foreign key: revisions
-- are pruned, and the conflict's note outlives them.

-- AlterTable
ALTER TABLE "conflicts" ADD COLUMN "base_revision_id" UUID,
ADD COLUMN "base_revision_behind" INTEGER;
