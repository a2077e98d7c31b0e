// GET /api/sync/held-deletions – mass deletions held for a person, by the side that deleted them
// POST /api/sync/held-deletions – {deletedIn, action: "apply" | "restore", dryRun?}: decide them all at once
import { parseBody, withApi } from "@/lib/api/handler";
import { heldDeletions } from "@/lib/sync/sync-reads";
import { decideHeldSchema } from "@/lib/sync/sync-schemas";

export const dynamic = "force-dynamic";

export const GET = withApi({ access: "viewer" }, async ({ services }) => heldDeletions(services));

// Deciding a mass deletion is an administrator's call (issue #18's roles).
export const POST = withApi({ access: "admin" }, async ({ req, services, actor }) => {
  const { deletedIn, action, dryRun } = await parseBody(req, decideHeldSchema);
  return services.sync.decideHeldDeletions(deletedIn, action, dryRun, actor);
});
