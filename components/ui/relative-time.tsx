"use client";

import { useEffect, useState } from "react";
import { formatDateTime, formatRelative } from "@/lib/client/format";

/**
 * A time shown as "3 min ago" that keeps itself current; the exact UTC time is in the
 * tooltip and the `datetime` attribute. The server renders the exact time, so the
 * first paint never disagrees with the browser's clock.
 */
export function RelativeTime({ iso, className = "" }: { iso: string | null | undefined; className?: string }) {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  if (!iso) return <span className={className}>—</span>;
  const exact = formatDateTime(iso);
  return (
    <time dateTime={iso} title={exact} className={className}>
      {now === null ? exact : formatRelative(iso, now)}
    </time>
  );
}
