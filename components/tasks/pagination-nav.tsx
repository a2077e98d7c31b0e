import Link from "next/link";
import { taskListHref, type TaskListParams } from "@/lib/client/task-list-query";
import { buttonClass } from "@/components/ui/button";

export function PaginationNav({ params, total }: { params: TaskListParams; total: number }) {
  const { limit, offset } = params;
  const from = total === 0 ? 0 : offset + 1;
  const to = Math.min(offset + limit, total);
  const page = Math.floor(offset / limit) + 1;
  const pages = Math.max(1, Math.ceil(total / limit));
  const link = (label: string, target: number, enabled: boolean, rel?: string) =>
    enabled ? (
      <Link href={taskListHref({ ...params, offset: target })} className={buttonClass("secondary", "sm")} rel={rel}>
        {label}
      </Link>
    ) : (
      <span aria-disabled="true" className={buttonClass("secondary", "sm", "pointer-events-none opacity-50")}>
        {label}
      </span>
    );
  return (
    <nav aria-label="Pages" className="mt-3 flex flex-wrap items-center justify-between gap-2 text-sm text-slate-700">
      <p aria-live="polite">
        Showing <strong>{from.toLocaleString("en-US")}</strong>–<strong>{to.toLocaleString("en-US")}</strong> of{" "}
        <strong data-testid="task-total">{total.toLocaleString("en-US")}</strong> tasks · page {page} of {pages.toLocaleString("en-US")}
      </p>
      <div className="flex gap-1.5">
        {link("« First", 0, offset > 0)}
        {link("‹ Previous", Math.max(0, offset - limit), offset > 0, "prev")}
        {link("Next ›", offset + limit, offset + limit < total, "next")}
        {link("Last »", (pages - 1) * limit, offset + limit < total)}
      </div>
    </nav>
  );
}
