// POST /api/sync/trigger – run one sync now ({direction?, force?, dryRun?}); a dry run returns the plan
import { parseBody, requireRole, withApi } from "@/lib/api/handler";
import { triggerSyncSchema } from "@/lib/sync/sync-schemas";

export const dynamic = "force-dynamic";

// Editors run bidirectional syncs; a direction that makes one side win every difference (and
// `force`, which overrides open conflicts) is an admin's call. A dry run changes nothing.
export const POST = withApi({ access: "editor" }, async ({ req, services, principal, actor }) => {
  const options = await parseBody(req, triggerSyncSchema);
  if (!options.dryRun && (options.direction !== "bidirectional" || options.force)) requireRole(principal, "admin");
  return services.sync.run({ ...options, actor });
});
