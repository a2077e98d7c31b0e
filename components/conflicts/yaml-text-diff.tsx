"use client";

import { useId, useState } from "react";
import { diffLines } from "@/lib/client/line-diff";

interface Texts {
  base: string;
  yaml: string;
  db: string;
  yamlSource: string | null;
}

type View = "base-yaml" | "base-db" | "db-yaml" | "source";

const SIGN = { same: " ", add: "+", remove: "−" } as const;
const ROW = { same: "", add: "bg-green-50 text-green-950", remove: "bg-red-50 text-red-950" } as const;
const LABEL = { same: "", add: "added", remove: "removed" } as const;

function DiffTable({ from, to, fromLabel, toLabel }: { from: string; to: string; fromLabel: string; toLabel: string }) {
  const lines = diffLines(from, to);
  const added = lines.filter((l) => l.kind === "add").length;
  const removed = lines.filter((l) => l.kind === "remove").length;
  return (
    <div>
      <p className="mb-2 text-xs text-slate-600">
        From <strong>{fromLabel}</strong> to <strong>{toLabel}</strong>: {added} line{added === 1 ? "" : "s"} added, {removed} removed.
      </p>
      {lines.length === 0 ? (
        <p className="text-sm text-slate-600">Both are empty.</p>
      ) : (
        <div className="overflow-x-auto rounded border border-slate-200">
          <table className="w-full font-mono text-xs" data-testid="line-diff">
            <caption className="sr-only">
              Line diff from {fromLabel} to {toLabel}
            </caption>
            <tbody>
              {lines.map((line, i) => (
                <tr key={i} className={ROW[line.kind]} data-kind={line.kind}>
                  <td className="w-8 px-1.5 text-right text-slate-700 select-none">{line.oldLine ?? ""}</td>
                  <td className="w-8 px-1.5 text-right text-slate-700 select-none">{line.newLine ?? ""}</td>
                  <td className="w-4 px-1 text-center font-bold select-none" aria-label={LABEL[line.kind] || undefined}>
                    {SIGN[line.kind]}
                  </td>
                  <td className="px-2 py-px whitespace-pre">{line.text || " "}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

/** Line diffs of the task's YAML text between base, YAML and DB, and the file's own text. */
export function YamlTextDiff({ text, hasBase }: { text: Texts; hasBase: boolean }) {
  const id = useId();
  const views: { value: View; label: string }[] = [
    ...(hasBase
      ? [
          { value: "base-yaml" as const, label: "What the YAML file changed" },
          { value: "base-db" as const, label: "What the database changed" },
        ]
      : []),
    { value: "db-yaml", label: "Database vs YAML" },
    ...(text.yamlSource !== null ? [{ value: "source" as const, label: "YAML file now (with comments)" }] : []),
  ];
  const [view, setView] = useState<View>(views[0].value);
  return (
    <div>
      <fieldset className="mb-3">
        <legend className="sr-only">Which texts to compare</legend>
        <div className="flex flex-wrap gap-1.5">
          {views.map((v) => (
            <label
              key={v.value}
              className={`relative cursor-pointer rounded-md border px-2.5 py-1 text-sm has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-offset-2 has-[:focus-visible]:outline-blue-600 ${
                view === v.value ? "border-slate-900 bg-slate-900 text-white" : "border-slate-300 bg-white text-slate-800 hover:bg-slate-100"
              }`}
            >
              <input type="radio" name={`${id}-view`} value={v.value} checked={view === v.value} onChange={() => setView(v.value)} className="absolute inset-0 cursor-pointer opacity-0" />
              {v.label}
            </label>
          ))}
        </div>
      </fieldset>
      {view === "base-yaml" && <DiffTable from={text.base} to={text.yaml} fromLabel="base" toLabel="YAML file" />}
      {view === "base-db" && <DiffTable from={text.base} to={text.db} fromLabel="base" toLabel="database" />}
      {view === "db-yaml" && <DiffTable from={text.db} to={text.yaml} fromLabel="database" toLabel="YAML file" />}
      {view === "source" && text.yamlSource !== null && (
        <div>
          <p className="mb-2 text-xs text-slate-600">The task exactly as it stands in the file right now, comments included.</p>
          <pre className="overflow-x-auto rounded border border-slate-200 bg-slate-50 p-3 font-mono text-xs" data-testid="yaml-source">
            {text.yamlSource}
          </pre>
        </div>
      )}
    </div>
  );
}
