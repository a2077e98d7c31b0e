// GET /api/sync/runs – sync history, newest first (?limit, ?before, ?changed=true for runs that did something, ?actor=alice|token:ci|file|cron|…)
import { parseQuery, withApi } from "@/lib/api/handler";
import { parseActorFilter } from "@/lib/people/actor";
import { runListQuerySchema } from "@/lib/sync/sync-schemas";
import { listRuns } from "@/lib/sync/sync-reads";

export const dynamic = "force-dynamic";

export const GET = withApi({ access: "viewer" }, async ({ services, searchParams }) => {
  const { limit, before, changed, actor } = parseQuery(searchParams, runListQuerySchema);
  return { items: await listRuns(services, { limit, before, changedOnly: changed === "true", actor: actor ? parseActorFilter(actor) : undefined }) };
});
