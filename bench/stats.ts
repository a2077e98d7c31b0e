/** Order statistics of a list of milliseconds. */
export interface Stats {
  n: number;
  median: number;
  p95: number;
  min: number;
  max: number;
}

export function stats(values: readonly number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { n: sorted.length, median: round(median), p95: round(at(0.95)), min: round(sorted[0]!), max: round(sorted[sorted.length - 1]!) };
}

export async function timed(fn: () => Promise<unknown> | unknown): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

/**
 * Wall time, and this process's CPU time (user + system, all its threads) over the same call:
 * on a busy machine the wall time includes waiting for a core, the CPU time mostly does not
 * (it excludes the database server's own work on PostgreSQL; PGlite runs in this process).
 */
export async function timedWithCpu(fn: () => Promise<unknown> | unknown): Promise<{ wall: number; cpu: number }> {
  const cpu = process.cpuUsage();
  const wall = await timed(fn);
  const used = process.cpuUsage(cpu);
  return { wall, cpu: (used.user + used.system) / 1000 };
}

export function round(value: number): number {
  return Math.round(value * 10) / 10;
}
