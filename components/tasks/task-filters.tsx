"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, useTransition } from "react";
import { PAGE_SIZES, hasFilters, taskListHref, type TaskListParams } from "@/lib/client/task-list-query";
import { Button } from "@/components/ui/button";
import { inputClass } from "@/components/ui/field";
import { Spinner } from "@/components/ui/spinner";

const TYPING_DELAY_MS = 300;

/**
 * Search and filters for the dashboard. They live in the address bar (shareable,
 * back-button friendly); the server filters and pages, so 50,000 tasks stay quick.
 */
export function TaskFilters({ params }: { params: TaskListParams }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [q, setQ] = useState(params.q ?? "");
  const [tag, setTag] = useState(params.tag ?? "");
  const typing = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const applied = useRef({ q: params.q ?? "", tag: params.tag ?? "" });

  // Links elsewhere on the page (a tag, "clear filters") change the URL: follow them
  // unless the person is typing something newer.
  useEffect(() => {
    if ((params.q ?? "") !== applied.current.q) setQ(params.q ?? "");
    if ((params.tag ?? "") !== applied.current.tag) setTag(params.tag ?? "");
    applied.current = { q: params.q ?? "", tag: params.tag ?? "" };
  }, [params.q, params.tag]);

  function apply(next: Partial<TaskListParams>) {
    clearTimeout(typing.current);
    const merged = { ...params, q: q.trim() || undefined, tag: tag.trim() || undefined, ...next, offset: 0 };
    applied.current = { q: merged.q ?? "", tag: merged.tag ?? "" };
    startTransition(() => router.replace(taskListHref(merged), { scroll: false }));
  }

  function typed(field: "q" | "tag", value: string) {
    if (field === "q") setQ(value);
    else setTag(value);
    clearTimeout(typing.current);
    typing.current = setTimeout(() => apply({ [field]: value.trim() || undefined }), TYPING_DELAY_MS);
  }

  useEffect(() => () => clearTimeout(typing.current), []);

  return (
    <form
      role="search"
      aria-label="Filter tasks"
      onSubmit={(event) => {
        event.preventDefault();
        apply({});
      }}
      className="mb-4 grid grid-cols-2 gap-3 rounded-lg border border-slate-200 bg-white p-3 shadow-sm sm:grid-cols-3 lg:grid-cols-[2fr_1fr_1fr_1fr_auto_auto]"
    >
      <div className="col-span-2 sm:col-span-3 lg:col-span-1">
        <label htmlFor="filter-q" className="mb-1 block text-xs font-semibold text-slate-700">
          Search
        </label>
        <input
          id="filter-q"
          type="search"
          value={q}
          onChange={(event) => typed("q", event.target.value)}
          placeholder="id, name, command or tag"
          maxLength={200}
          className={inputClass()}
        />
      </div>
      <div>
        <label htmlFor="filter-tag" className="mb-1 block text-xs font-semibold text-slate-700">
          Tag
        </label>
        <input
          id="filter-tag"
          value={tag}
          onChange={(event) => typed("tag", event.target.value)}
          placeholder="exact tag"
          maxLength={64}
          className={inputClass()}
        />
      </div>
      <div>
        <label htmlFor="filter-enabled" className="mb-1 block text-xs font-semibold text-slate-700">
          Enabled
        </label>
        <select
          id="filter-enabled"
          value={params.enabled ?? ""}
          onChange={(event) => apply({ enabled: (event.target.value || undefined) as TaskListParams["enabled"] })}
          className={inputClass()}
        >
          <option value="">Any</option>
          <option value="true">Enabled</option>
          <option value="false">Disabled</option>
        </select>
      </div>
      <div>
        <label htmlFor="filter-state" className="mb-1 block text-xs font-semibold text-slate-700">
          Sync state
        </label>
        <select
          id="filter-state"
          value={params.state ?? ""}
          onChange={(event) => apply({ state: (event.target.value || undefined) as TaskListParams["state"], conflicted: undefined })}
          className={inputClass()}
        >
          <option value="">Any</option>
          <option value="in_sync">In sync</option>
          <option value="differs">Differs</option>
          <option value="conflict">Conflict</option>
          <option value="held">Held deletion</option>
        </select>
      </div>
      <div>
        <label htmlFor="filter-limit" className="mb-1 block text-xs font-semibold text-slate-700">
          Per page
        </label>
        <select id="filter-limit" value={params.limit} onChange={(event) => apply({ limit: Number(event.target.value) })} className={inputClass()}>
          {PAGE_SIZES.map((size) => (
            <option key={size} value={size}>
              {size}
            </option>
          ))}
        </select>
      </div>
      <Button type="submit" className="sr-only focus:not-sr-only">
        Apply filters
      </Button>
      <span aria-live="polite" className="sr-only">
        {pending ? "Filtering…" : ""}
      </span>
      {(hasFilters(params) || q || tag || pending) && (
      <div className="col-span-2 flex items-end gap-2 sm:col-span-1">
        {hasFilters(params) || q || tag ? (
          <Button
            variant="ghost"
            onClick={() => {
              setQ("");
              setTag("");
              clearTimeout(typing.current);
              applied.current = { q: "", tag: "" };
              startTransition(() => router.replace(taskListHref({ limit: params.limit }), { scroll: false }));
            }}
          >
            Clear filters
          </Button>
        ) : null}
        {pending && (
          <span aria-hidden="true" className="pb-2 text-xs text-slate-600">
            <Spinner label="Filtering…" />
          </span>
        )}
      </div>
      )}
    </form>
  );
}
