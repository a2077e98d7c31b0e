import { pluralize } from "@/lib/client/format";

type SideCounts = { create?: number; update?: number; delete?: number };

function side(label: string, c: SideCounts | undefined) {
  const create = c?.create ?? 0;
  const update = c?.update ?? 0;
  const del = c?.delete ?? 0;
  if (create + update + del === 0) return null;
  const parts = [create ? `+${create}` : null, update ? `~${update}` : null, del ? `−${del}` : null].filter(Boolean).join(" ");
  return (
    <span className="whitespace-nowrap" title={`${label}: ${create} created, ${update} updated, ${del} deleted`}>
      <span className="font-medium">{label}</span> <span aria-hidden="true">{parts}</span>
      <span className="sr-only">
        : {create} created, {update} updated, {del} deleted
      </span>
    </span>
  );
}

/** A run's counts in one line: `→ DB +1 ~2 · → YAML −1 · 1 merged · 1 renamed · 2 conflicts`. */
export function RunCounts({ counts, conflicts }: { counts: Record<string, unknown>; conflicts: number }) {
  const toDb = side("→ DB", counts.toDb as SideCounts | undefined);
  const toYaml = side("→ YAML", counts.toYaml as SideCounts | undefined);
  const merged = typeof counts.merged === "number" ? counts.merged : 0;
  // Each rename is also one of the DB's updates (issue #17).
  const renamed = typeof counts.renamed === "number" ? counts.renamed : 0;
  const resolution = typeof counts.resolution === "string" ? counts.resolution : null;
  const parts = [
    toDb,
    toYaml,
    merged ? <span key="m">{pluralize(merged, "merge")}</span> : null,
    renamed ? <span key="n">{renamed} renamed</span> : null,
    conflicts ? (
      <span key="c" className="font-medium text-amber-800">
        {pluralize(conflicts, "conflict")}
      </span>
    ) : null,
    resolution ? <span key="r">resolution: {resolution}</span> : null,
  ].filter(Boolean);
  if (parts.length === 0) return <span className="text-slate-500">no changes</span>;
  return (
    <span className="inline-flex flex-wrap gap-x-2.5 gap-y-0.5">
      {parts.map((part, i) => (
        <span key={i}>{part}</span>
      ))}
    </span>
  );
}
