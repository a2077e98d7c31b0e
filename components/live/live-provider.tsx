"use client";

import { createContext, useContext, useEffect, useRef, type ReactNode } from "react";
import { useLiveSocket, type LiveListener, type LiveSocket } from "@/lib/client/use-live-socket";

const LiveContext = createContext<LiveSocket | null>(null);

/** Holds the page's one Socket.IO connection; everything below can listen to it. */
export function LiveProvider({ children }: { children: ReactNode }) {
  const live = useLiveSocket();
  return <LiveContext value={live}>{children}</LiveContext>;
}

export function useLive(): LiveSocket {
  const live = useContext(LiveContext);
  if (!live) throw new Error("useLive must be used inside <LiveProvider>");
  return live;
}

/** Calls `listener` for every live event (and after reconnects) while mounted. */
export function useLiveEvent(listener: LiveListener): void {
  const { subscribe } = useLive();
  const latest = useRef(listener);
  useEffect(() => {
    latest.current = listener;
  });
  useEffect(() => subscribe((event) => latest.current(event)), [subscribe]);
}
