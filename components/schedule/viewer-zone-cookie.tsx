"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

export const VIEWER_ZONE_COOKIE = "viewer_tz";

/**
 * Tells the server the browser's time zone (a cookie), once, so server-rendered times can be
 * shown in the viewer's zone; refreshes when the server guessed another one.
 */
export function ViewerZoneCookie({ serverZone }: { serverZone: string | null }) {
  const router = useRouter();
  useEffect(() => {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!zone || zone === serverZone) return;
    document.cookie = `${VIEWER_ZONE_COOKIE}=${encodeURIComponent(zone)}; path=/; max-age=31536000; samesite=strict`;
    router.refresh();
  }, [serverZone, router]);
  return null;
}
