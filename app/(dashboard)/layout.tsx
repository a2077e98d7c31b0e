import Link from "next/link";
import type { ReactNode } from "react";
import { AppNav } from "@/components/layout/app-nav";
import { LogoutButton } from "@/components/layout/logout-button";
import { SyncStatusBar } from "@/components/layout/sync-status-bar";
import { ConnectionIndicator } from "@/components/live/connection-indicator";
import { LiveProvider } from "@/components/live/live-provider";
import { LiveRefresh } from "@/components/live/live-refresh";
import { ServerReachability } from "@/components/live/server-reachability";
import { getServices } from "@/lib/core/services";
import { syncStatus } from "@/lib/sync/sync-reads";
import { requirePageAccess } from "@/lib/auth/page-access";
import { describePrincipal } from "@/lib/auth/describe-principal";
import { readScheduleText } from "@/lib/tasks/task-yaml-source";
import { codeFrame } from "@/lib/yaml-view/code-frame";

export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const me = describePrincipal(await requirePageAccess());
  const services = getServices();
  const status = await syncStatus(services);
  // An invalid file: the lines around its first error, like a compiler prints them.
  const issue = status.yaml.valid === false ? status.yaml.error : null;
  const text = issue && issue.line > 0 ? await readScheduleText(services.config.scheduleConfigPath, services.config.yamlMaxBytes) : null;
  const frame = issue && text !== null ? codeFrame(text, issue.line, issue.column) : null;
  return (
    <LiveProvider>
      <LiveRefresh />
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded-md focus:bg-white focus:px-3 focus:py-2 focus:shadow"
      >
        Skip to content
      </a>
      <header className="border-b border-slate-200 bg-slate-100">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center justify-between gap-x-4 gap-y-2 px-4 py-2.5 sm:px-6">
          <div className="flex min-w-0 flex-wrap items-center gap-x-5 gap-y-2">
            <Link href="/" className="flex items-center gap-2 text-base font-bold tracking-tight text-slate-900">
              <span aria-hidden="true" className="grid size-6 place-items-center rounded bg-blue-700 text-xs text-white">
                ⇄
              </span>
              schedule-sync
            </Link>
            <AppNav openConflicts={status.openConflicts} admin={me.role === "admin"} />
          </div>
          <div className="flex min-w-0 flex-wrap items-center gap-2">
            <ConnectionIndicator />
            <span className="max-w-48 truncate text-sm text-slate-700" data-testid="signed-in-as">
              {me.name ?? "admin token"} <span className="text-slate-600">· {me.role}</span>
            </span>
            <LogoutButton />
          </div>
        </div>
      </header>
      <ServerReachability>
        <SyncStatusBar status={status} frame={frame} canDecideHeld={me.role === "admin"} />
        {me.role === "viewer" && (
          <p className="mx-auto max-w-7xl px-4 pt-3 text-sm text-slate-700 sm:px-6" data-testid="viewer-note">
            You have the viewer role: you can see everything, and the server refuses changes. Ask an admin for the editor role.
          </p>
        )}
        <main id="main" tabIndex={-1} className="mx-auto max-w-7xl px-4 py-6 focus:outline-none sm:px-6">
          {children}
        </main>
      </ServerReachability>
    </LiveProvider>
  );
}
