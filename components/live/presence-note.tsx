"use client";

import { useEffect, useState } from "react";
import { useLive } from "./live-provider";

/** "alice is also looking at this", for a task's or a conflict's page (issue #18). */
export function PresenceNote({ page }: { page: string }) {
  const { watch, onPresence } = useLive();
  const [others, setOthers] = useState<string[]>([]);
  useEffect(() => {
    const stop = onPresence((update, own) => {
      if (update.page !== page) return;
      setOthers([...new Set(update.viewers.filter((v) => v.socketId !== own).map((v) => v.name))].sort());
    });
    watch(page);
    return () => {
      stop();
      watch(null);
      setOthers([]);
    };
  }, [watch, onPresence, page]);
  if (others.length === 0) return null;
  const names = others.length === 1 ? others[0] : `${others.slice(0, -1).join(", ")} and ${others.at(-1)}`;
  return (
    <p role="status" data-testid="presence" className="mb-3 inline-flex items-center gap-2 rounded-full bg-blue-50 px-3 py-1 text-sm text-blue-900">
      <span aria-hidden="true" className="size-2 rounded-full bg-blue-600" />
      {names} {others.length === 1 ? "is" : "are"} also looking at this
    </p>
  );
}
