"use client";

import { useLive } from "./live-provider";

const STATES = {
  connected: { dot: "bg-green-600", text: "Live", title: "Connected: this page updates by itself" },
  connecting: { dot: "bg-slate-400", text: "Connecting…", title: "Connecting to live updates" },
  reconnecting: { dot: "bg-amber-500 animate-pulse", text: "Reconnecting…", title: "Lost the live connection; reconnecting. The page catches up once it is back." },
  unreachable: { dot: "bg-red-600", text: "Offline", title: "The server does not answer; retrying" },
} as const;

export function ConnectionIndicator() {
  const { connection } = useLive();
  const state = STATES[connection];
  return (
    <span
      role="status"
      aria-live="polite"
      title={state.title}
      data-connection={connection}
      className="inline-flex items-center gap-1.5 rounded-full border border-slate-300 bg-white px-2.5 py-1 text-xs font-medium text-slate-700"
    >
      <span aria-hidden="true" className={`size-2 rounded-full ${state.dot}`} />
      <span>
        <span className="sr-only">Live updates: </span>
        {state.text}
      </span>
    </span>
  );
}
