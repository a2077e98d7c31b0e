// GET /api/sync/status – state, last run, open conflicts, YAML validity, DB kind, next cron run
import { withApi } from "@/lib/api/handler";
import { syncStatus } from "@/lib/sync/sync-reads";

export const dynamic = "force-dynamic";

export const GET = withApi({ access: "viewer" }, async ({ services }) => syncStatus(services));
