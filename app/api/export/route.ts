// GET /api/export?format=crontab|json – the enabled tasks in a form a scheduler reads (CRON_TZ= lines for crontab)
import { z } from "zod";
import { parseQuery, withApi } from "@/lib/api/handler";
import { EXPORT_CONTENT_TYPE, exportFormatSchema, renderExport } from "@/lib/export/export-schedule";
import { listEnabledSchedules } from "@/lib/tasks/task-reads";

export const dynamic = "force-dynamic";

const exportQuerySchema = z.strictObject({ format: exportFormatSchema.default("json") });

export const GET = withApi({ access: "viewer" }, async ({ services, searchParams }) => {
  const { format } = parseQuery(searchParams, exportQuerySchema);
  const body = renderExport(format, await listEnabledSchedules(services.db));
  return new Response(body, { headers: { "content-type": EXPORT_CONTENT_TYPE[format], "cache-control": "no-store" } });
});
