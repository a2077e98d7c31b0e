import type { ReactNode } from "react";

export type NoticeTone = "info" | "success" | "warning" | "error";

const TONES: Record<NoticeTone, string> = {
  info: "border-blue-300 bg-blue-50 text-blue-950",
  success: "border-green-300 bg-green-50 text-green-950",
  warning: "border-amber-300 bg-amber-50 text-amber-950",
  error: "border-red-300 bg-red-50 text-red-950",
};

const ICONS: Record<NoticeTone, string> = { info: "ℹ", success: "✓", warning: "!", error: "✕" };

/**
 * A boxed message. Errors are `role="alert"` (announced at once), the rest
 * `role="status"` (announced politely) unless `role` says otherwise.
 */
export function Notice({
  tone = "info",
  title,
  children,
  actions,
  role,
  className = "",
  id,
}: {
  tone?: NoticeTone;
  title?: ReactNode;
  children?: ReactNode;
  actions?: ReactNode;
  role?: "alert" | "status" | "none";
  className?: string;
  id?: string;
}) {
  const ariaRole = role === "none" ? undefined : (role ?? (tone === "error" ? "alert" : "status"));
  return (
    <div id={id} role={ariaRole} className={`flex gap-3 rounded-md border px-3.5 py-3 text-sm ${TONES[tone]} ${className}`}>
      <span aria-hidden="true" className="mt-px font-bold">
        {ICONS[tone]}
      </span>
      <div className="min-w-0 flex-1 space-y-1">
        {title && <p className="font-semibold">{title}</p>}
        {children && <div className="space-y-1 break-words">{children}</div>}
        {actions && <div className="flex flex-wrap gap-2 pt-1.5">{actions}</div>}
      </div>
    </div>
  );
}
