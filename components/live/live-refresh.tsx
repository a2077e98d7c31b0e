"use client";

import { useRouter } from "next/navigation";
import { useCallback, useEffect, useRef } from "react";
import { useLiveEvent } from "./live-provider";

/** Bursts of events (a sync emits several) collapse into one refresh. */
const QUIET_MS = 120;
const MAX_WAIT_MS = 600;

/**
 * Re-renders the current page's server components on every live event, so every page
 * shows fresh data without a reload. Client state (half-filled forms, selections) stays.
 */
export function LiveRefresh() {
  const router = useRouter();
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const firstAt = useRef<number | null>(null);

  // A refresh that cannot reach the server makes Next fall back to loading the page in full,
  // which offline replaces the page (and whatever was typed in it) with the browser's error
  // page. Offline, the refresh waits for the network to come back.
  const offlineSkipped = useRef(false);
  const refresh = useCallback(() => {
    if (!navigator.onLine) {
      offlineSkipped.current = true;
      return;
    }
    router.refresh();
  }, [router]);

  useLiveEvent(() => {
    const now = Date.now();
    firstAt.current ??= now;
    clearTimeout(timer.current);
    const wait = Math.max(0, Math.min(QUIET_MS, firstAt.current + MAX_WAIT_MS - now));
    timer.current = setTimeout(() => {
      firstAt.current = null;
      refresh();
    }, wait);
  });

  useEffect(() => {
    const online = () => {
      if (!offlineSkipped.current) return;
      offlineSkipped.current = false;
      refresh();
    };
    window.addEventListener("online", online);
    return () => {
      window.removeEventListener("online", online);
      clearTimeout(timer.current);
    };
  }, [refresh]);
  return null;
}
