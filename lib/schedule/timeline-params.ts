import { z } from "zod";
import { isValidTimezone } from "../tasks/task-schema";

/** The timeline page's query: window length, start, viewer's zone, tag filter. */
export const timelineParamsSchema = z.object({
  range: z.enum(["24h", "7d"]).catch("7d"),
  tag: z.string().max(64).optional().catch(undefined),
  tz: z.string().max(64).refine(isValidTimezone).optional().catch(undefined),
  /** A day (`2027-03-26`) or an instant; the window starts there instead of now. */
  from: z
    .string()
    .max(40)
    .refine((text) => !Number.isNaN(Date.parse(text)))
    .optional()
    .catch(undefined),
});
export type TimelineParams = z.output<typeof timelineParamsSchema>;

export function parseTimelineParams(raw: Record<string, string | string[] | undefined>): TimelineParams {
  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) || undefined;
  return timelineParamsSchema.parse({ range: first(raw.range), tag: first(raw.tag), tz: first(raw.tz), from: first(raw.from) });
}

export function timelineHref(params: Partial<TimelineParams>): string {
  const query = new URLSearchParams();
  for (const key of ["range", "tag", "tz", "from"] as const) {
    const value = params[key];
    if (value) query.set(key, value);
  }
  const text = query.toString();
  return text ? `/schedule?${text}` : "/schedule";
}
