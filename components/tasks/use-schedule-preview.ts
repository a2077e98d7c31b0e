"use client";

import { useEffect, useState } from "react";
import { apiFetch } from "@/lib/client/api-fetch";
import type { SchedulePreview } from "@/lib/schedule/preview-schedule";

const TYPING_DELAY_MS = 150;

/**
 * The server's preview of a schedule being typed (words, next runs, DST warnings), asked a
 * moment after typing stops; a request for older input is cancelled. Null for an empty schedule.
 */
export function useSchedulePreview(schedule: string, timezone: string, count: number): SchedulePreview | null {
  const [preview, setPreview] = useState<{ key: string; value: SchedulePreview } | null>(null);
  const expr = schedule.trim();
  const zone = timezone.trim() || "UTC";
  const key = `${count}|${zone}|${expr}`;
  useEffect(() => {
    if (!expr) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      const query = new URLSearchParams({ schedule: expr, timezone: zone, count: String(count) });
      apiFetch<SchedulePreview>(`/api/schedule/preview?${query}`, { signal: controller.signal })
        .then((value) => setPreview({ key, value }))
        .catch(() => undefined);
    }, TYPING_DELAY_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [expr, zone, count, key]);
  // The previous answer stays up until the next arrives, so the hint does not flicker while typing.
  return expr && preview ? preview.value : null;
}
