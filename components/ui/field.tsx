import type { ReactNode } from "react";

/** Classes of text inputs, selects and textareas; red border when invalid. */
export function inputClass(invalid = false, extra = ""): string {
  return `block w-full rounded-md border bg-white px-3 py-2 text-sm text-slate-900 shadow-xs placeholder:text-slate-500 disabled:bg-slate-100 ${
    invalid ? "border-red-600" : "border-slate-400"
  } ${extra}`;
}

/** `aria-describedby`/`aria-invalid` for an input wired to a `Field`'s hint and error. */
export function fieldAria(id: string, { hint, error }: { hint?: ReactNode; error?: string | null }) {
  const describedBy = [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(" ");
  return { "aria-invalid": error ? true : undefined, "aria-describedby": describedBy || undefined } as const;
}

/** A label, the control, a hint and an inline error, tied together by ids. */
export function Field({
  id,
  label,
  hint,
  error,
  required,
  children,
  className = "",
}: {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string | null;
  required?: boolean;
  children: ReactNode;
  className?: string;
}) {
  return (
    <div className={className}>
      {/* The asterisk stays outside the label: the input's name is just the label, and `required` says the rest. */}
      <div className="mb-1 flex items-baseline gap-1">
        <label htmlFor={id} className="block text-sm font-medium text-slate-800">
          {label}
        </label>
        {required && (
          <span className="text-sm text-red-700" aria-hidden="true">
            *
          </span>
        )}
      </div>
      {children}
      {error && (
        <p id={`${id}-error`} className="mt-1 text-sm text-red-700">
          <span aria-hidden="true">✕ </span>
          {error}
        </p>
      )}
      {hint && (
        <div id={`${id}-hint`} className="mt-1 text-xs text-slate-600">
          {hint}
        </div>
      )}
    </div>
  );
}
