import { Spinner } from "@/components/ui/spinner";

export default function Loading() {
  return (
    <div role="status" className="flex items-center gap-2 py-16 text-slate-600" aria-live="polite">
      <Spinner label="Loading…" />
    </div>
  );
}
