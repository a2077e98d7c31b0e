import type { CodeFrame } from "@/lib/yaml-view/code-frame";

/** A code frame like a compiler prints it: line numbers, the lines, a caret under the column. */
export function CodeFrameView({ frame, label }: { frame: CodeFrame; label: string }) {
  const width = String(frame.lines.at(-1)?.number ?? 1).length;
  return (
    <pre aria-label={label} className="mt-1 overflow-x-auto rounded border border-red-200 bg-white p-2 font-mono text-xs leading-5 text-slate-900" data-testid="code-frame">
      {frame.lines.map((line) => (
        <span key={line.number} className={line.target ? "block bg-red-50" : "block"}>
          <span className={line.target ? "font-bold text-red-800" : "text-slate-600"}>
            {line.target ? ">" : " "} {String(line.number).padStart(width)} |{" "}
          </span>
          {line.text}
          {line.target && frame.column > 0 && (
            <span className="block font-bold text-red-800" aria-hidden="true">
              {" ".repeat(width + 3)}| {" ".repeat(frame.column - 1)}^
            </span>
          )}
        </span>
      ))}
    </pre>
  );
}
