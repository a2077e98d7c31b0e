export function Spinner({ className = "", label }: { className?: string; label?: string }) {
  return (
    <span className={`inline-flex items-center gap-2 ${className}`}>
      <span aria-hidden="true" className="inline-block size-4 animate-spin rounded-full border-2 border-current border-r-transparent" />
      {label && <span>{label}</span>}
    </span>
  );
}
