import { buttonClass } from "@/components/ui/button";

export const metadata = { title: "Page not found · schedule-sync" };

/**
 * Any address no route answers (/nope): the app's own page, not the framework's bare one.
 * Plain links: next/link would add its router code to every page (this boundary is part of the root layout).
 */
export default function NotFound() {
  return (
    <main className="flex min-h-screen items-center justify-center bg-slate-100 px-4 py-10">
      <div className="w-full max-w-md text-center">
        <p className="mb-6 inline-flex items-center gap-2 text-lg font-bold tracking-tight text-slate-900">
          <span aria-hidden="true" className="grid size-7 place-items-center rounded bg-blue-700 text-sm text-white">
            ⇄
          </span>
          schedule-sync
        </p>
        <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
          <p className="text-sm font-semibold text-slate-600">404</p>
          <h1 className="mt-1 text-2xl font-semibold tracking-tight text-slate-900">Page not found</h1>
          <p className="mt-2 text-sm text-slate-700">There is no page at this address. It may have been mistyped, or the link is out of date.</p>
          <div className="mt-5 flex flex-wrap justify-center gap-2">
            <a href="/" className={buttonClass("primary")}>
              Tasks
            </a>
            <a href="/schedule" className={buttonClass("secondary")}>
              Schedule
            </a>
            <a href="/history" className={buttonClass("secondary")}>
              History
            </a>
          </div>
        </div>
      </div>
    </main>
  );
}
