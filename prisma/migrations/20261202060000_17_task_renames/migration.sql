-- Task renames (issue #17): a task whose id changed in the file while everything else stayed is
-- renamed in place (tasks.id updated, so the row keeps created_at and its version) and recorded
-- as one sync_changes row with action 'rename' under the new id, `before` holding the task under
-- its old id. History follows renames back by that row (no re-keying: a past run's changes keep
-- the id they had). This index finds the renames away from an id: before->>'id' of rename rows.
CREATE INDEX "sync_changes_renamed_from_idx" ON "sync_changes" (("before"->>'id')) WHERE "action" = 'rename';
