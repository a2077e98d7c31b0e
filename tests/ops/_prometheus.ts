/** One sample of the Prometheus text exposition format. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Scrape {
  samples: Sample[];
  types: Map<string, string>;
  /** The sum of every sample of `name` whose labels include `labels`; undefined when none matches. */
  value(name: string, labels?: Record<string, string>): number | undefined;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/gy;

/** Parses the text format (version 0.0.4) strictly: a line that is not a comment, blank or a sample fails. */
export function parsePrometheus(text: string): Scrape {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    if (line.startsWith("#")) {
      const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
      if (type) types.set(type[1]!, type[2]!);
      else if (!/^# HELP \S+ /.test(line)) throw new Error(`not a HELP or TYPE comment: ${line}`);
      continue;
    }
    const match = LINE.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    if (match[2]) {
      LABEL.lastIndex = 0;
      let consumed = 0;
      for (let m = LABEL.exec(match[2]); m; m = LABEL.exec(match[2])) {
        labels[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
        consumed = LABEL.lastIndex;
      }
      if (consumed !== match[2].length) throw new Error(`bad labels: ${line}`);
    }
    const raw = match[3]!;
    const value = sampleValue(raw);
    if (value === undefined) throw new Error(`bad value: ${line}`);
    samples.push({ name: match[1]!, labels, value });
  }
  return {
    samples,
    types,
    value(name, wanted = {}) {
      const hits = samples.filter((s) => s.name === name && Object.entries(wanted).every(([k, v]) => s.labels[k] === v));
      return hits.length ? hits.reduce((sum, s) => sum + s.value, 0) : undefined;
    },
  };
}

/**
 * Prometheus reads a value with Go's ParseFloat, which takes NaN and Inf in any letter case;
 * prom-client writes "Nan" for a gauge that has no sample yet (the event-loop lag at start-up).
 */
function sampleValue(raw: string): number | undefined {
  if (/^nan$/i.test(raw)) return NaN;
  if (/^[+-]?inf$/i.test(raw)) return raw.startsWith("-") ? -Infinity : Infinity;
  const value = Number(raw);
  return Number.isNaN(value) ? undefined : value;
}
