"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState, type ReactNode } from "react";
import { useLive } from "./live-provider";

/**
 * While the server cannot be reached: a banner says so, every button and input below is
 * disabled (one `<fieldset disabled>` around the page), and a click on an in-app link is held
 * back instead of landing on the browser's "This site can't be reached" page. A link clicked
 * while the live connection is only wobbling first asks the server, then follows.
 */
export function ServerReachability({ children }: { children: ReactNode }) {
  const { connection, probe } = useLive();
  const router = useRouter();
  const [blocked, setBlocked] = useState<string | null>(null);
  const unreachable = connection === "unreachable";

  useEffect(() => {
    if (connection === "connected") setBlocked(null);
  }, [connection]);

  useEffect(() => {
    if (connection === "connected") return;
    const onClick = (event: MouseEvent) => {
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      const link = (event.target as Element | null)?.closest?.("a[href]") as HTMLAnchorElement | null;
      if (!link || link.target || link.origin !== window.location.origin || link.hasAttribute("download")) return;
      if (link.pathname === window.location.pathname && link.hash) return;
      event.preventDefault();
      event.stopPropagation();
      const href = link.pathname + link.search + link.hash;
      void probe().then((answers) => {
        if (answers) router.push(href);
        else setBlocked(href);
      });
    };
    document.addEventListener("click", onClick, true);
    return () => document.removeEventListener("click", onClick, true);
  }, [connection, probe, router]);

  return (
    <>
      {unreachable && (
        <div role="alert" className="border-b border-red-300 bg-red-50 text-red-950" data-testid="server-unreachable">
          <div className="mx-auto max-w-7xl px-4 py-2.5 text-sm sm:px-6">
            <p className="font-semibold">
              <span aria-hidden="true">✕ </span>Server unreachable
            </p>
            <p>
              Nothing can be saved or synced until it answers again; buttons are disabled meanwhile. Retrying by itself, and this page catches up when it is
              back.
              {blocked && <> The page you clicked ({blocked}) opens once the server is back.</>}
            </p>
          </div>
        </div>
      )}
      <fieldset disabled={unreachable} className="contents">
        {children}
      </fieldset>
    </>
  );
}
