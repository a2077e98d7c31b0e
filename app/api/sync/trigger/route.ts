// POST /api/sync/trigger – run one sync now ({direction?, force?, dryRun?}); a dry run returns the plan
import { parseBody, withApi } from "@/lib/api/handler";
import { triggerSyncSchema } from "@/lib/sync/sync-schemas";

export const dynamic = "force-dynamic";

export const POST = withApi({ access: "editor" }, async ({ req, services }) => {
  const options = await parseBody(req, triggerSyncSchema);
  return services.sync.run(options);
});
