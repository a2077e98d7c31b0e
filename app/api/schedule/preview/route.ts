// GET /api/schedule/preview – a schedule in words, its next runs and DST warnings (?schedule, ?timezone, ?count)
import { z } from "zod";
import { parseQuery, withApi } from "@/lib/api/handler";
import { previewSchedule } from "@/lib/schedule/preview-schedule";

export const dynamic = "force-dynamic";

const previewQuerySchema = z.strictObject({
  schedule: z.string().min(1).max(200),
  timezone: z.string().max(64).default("UTC"),
  count: z.coerce.number().int().min(0).max(10).default(3),
});

export const GET = withApi({ access: "viewer" }, async ({ searchParams }) => {
  const { schedule, timezone, count } = parseQuery(searchParams, previewQuerySchema);
  return previewSchedule(schedule, timezone || "UTC", count);
});
