/**
 * `npm run bench [-- options]`: schedule-sync at 1,000 / 10,000 (/ 50,000) tasks on PostgreSQL
 * and PGlite, each number with its floor measured in the same run. Prints a table and writes
 * bench/results/<time>.json (with the machine's load average: this is a shared 2-core box).
 *
 *   --sizes=1000,10000     task counts for the in-process engine benchmark (add 50000 for the big one)
 *   --dbs=postgresql,pglite
 *   --runs=5               repeats of each sync measurement (median reported)
 *   --edits=20             single-task edits measured
 *   --server-sizes=10,10000  task counts for the real-server benchmark; --server-sizes= skips it
 *   --load-seconds=10      seconds of HTTP load per endpoint
 *   --idle-seconds=75      seconds the server idles after the load before its memory is read again
 *   --node-options=…       NODE_OPTIONS for the servers (e.g. --max-old-space-size=256)
 *
 * The server part needs a production build in NEXT_DIST_DIR (default .next-bench); it is built
 * when missing or older than the sources. PostgreSQL is expected on 127.0.0.1:5432 (TEST_POSTGRES_URL to override).
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { DbKind } from "../lib/db/create-database";
import { engineBench, type EngineBenchResult } from "./engine-bench";
import { serverBench, type ServerBenchResult } from "./server-bench";
import { round, type Stats } from "./stats";
import { ensureFreshBuild } from "../scripts/build.mjs";

const root = path.resolve(import.meta.dirname, "..");
const args = new Map(
  process.argv.slice(2).map((arg) => {
    const [key, ...value] = arg.replace(/^--/, "").split("=");
    return [key!, value.join("=")];
  }),
);
const list = (key: string, fallback: string) => (args.get(key) ?? fallback).split(",").filter(Boolean);
const sizes = list("sizes", "1000,10000").map(Number);
const dbs = list("dbs", "postgresql,pglite") as DbKind[];
const runs = Number(args.get("runs") ?? 5);
const edits = Number(args.get("edits") ?? 20);
const serverSizes = list("server-sizes", "10,10000").map(Number);
const loadSeconds = Number(args.get("load-seconds") ?? 10);
const nodeOptions = args.get("node-options") ?? "";
const idleSeconds = Number(args.get("idle-seconds") ?? 75);
for (const db of dbs) if (db !== "postgresql" && db !== "pglite") throw new Error(`unknown --dbs entry ${db}`);

process.env.NEXT_TELEMETRY_DISABLED = "1";
process.env.NEXT_DIST_DIR ??= ".next-bench";
const log = (line: string) => console.log(`  ${new Date().toISOString().slice(11, 19)} ${line}`);
const load = () => os.loadavg().map((value) => round(value));

const startedAt = new Date();
const loadBefore = load();
console.log(`schedule-sync benchmark: sizes ${sizes.join(", ")} on ${dbs.join(", ")}, ${runs} runs; server ${serverSizes.join(", ") || "skipped"}`);
console.log(`  ${os.cpus().length} CPUs, Node ${process.version}, load average ${loadBefore.join(" / ")} (1/5/15 min)`);

const engine: EngineBenchResult[] = [];
for (const size of sizes) {
  for (const db of dbs) engine.push(await engineBench({ db, size, runs, edits, log }));
}

const server: ServerBenchResult[] = [];
if (serverSizes.length > 0) {
  await ensureFreshBuild();
  for (const size of serverSizes) {
    for (const db of dbs) server.push(await serverBench({ db, size, samples: edits, loadSeconds, nodeOptions, idleSeconds, log }));
  }
}

const loadAfter = load();
const report = {
  startedAt: startedAt.toISOString(),
  finishedAt: new Date().toISOString(),
  machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.release()}` },
  loadAverage: { before: loadBefore, after: loadAfter },
  options: { sizes, dbs, runs, edits, serverSizes, loadSeconds, idleSeconds, nodeOptions },
  engine: engine.map((result) => ({ ...result, ratios: ratios(result) })),
  server,
};
await fs.mkdir(path.join(root, "bench/results"), { recursive: true });
const file = path.join(root, "bench/results", `${startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
await fs.writeFile(file, JSON.stringify(report, null, 2) + "\n");

console.log(`\n${engineTable(engine)}`);
console.log(`\nCPU time of the benchmark process, median (no DB server work on PostgreSQL):\n${cpuTable(engine)}`);
if (server.length > 0) console.log(`\n${serverTable(server)}`);
console.log(`\nload average ${loadBefore.join(" / ")} before, ${loadAfter.join(" / ")} after (2 cores shared with other work: medians, not minimums)`);
console.log(`results: ${path.relative(root, file)}`);

function ratios(result: EngineBenchResult) {
  const noopFloor = result.parseFloor.median + result.selectFloor.median;
  const importFloor = result.parseFloor.median + result.insertFloor.median;
  return {
    noopFloorMs: round(noopFloor),
    importFloorMs: round(importFloor),
    noopToFloor: round(result.noopSync.median / noopFloor),
    noopColdFileToFloor: round(result.noopSyncColdFile.median / noopFloor),
    importToFloor: round(result.firstImport.median / importFloor),
  };
}

function engineTable(results: EngineBenchResult[]): string {
  const head = ["tasks", "db", "no-op sync", "no-op, file re-read", "floor (parse+SELECT)", "first import", "floor (parse+INSERT)", "API edit p50/p95", "YAML write p50"];
  const rows = results.map((r) => {
    const x = ratios(r);
    return [
      r.size.toLocaleString("en"),
      r.db,
      `${ms(r.noopSync)} (${x.noopToFloor}×)`,
      `${ms(r.noopSyncColdFile)} (${x.noopColdFileToFloor}×)`,
      `${x.noopFloorMs} ms`,
      `${ms(r.firstImport)} (${x.importToFloor}×)`,
      `${x.importFloorMs} ms`,
      `${r.apiEdit.median} / ${r.apiEdit.p95} ms`,
      `${r.yamlWrite.median} ms`,
    ];
  });
  return markdown(head, rows);
}

function cpuTable(results: EngineBenchResult[]): string {
  const head = ["tasks", "db", "no-op sync", "no-op, file re-read", "first import", "API edit", "YAML write"];
  const rows = results.map((r) => [
    r.size.toLocaleString("en"),
    r.db,
    ...[r.cpu.noopSync, r.cpu.noopSyncColdFile, r.cpu.firstImport, r.cpu.apiEdit, r.cpu.yamlWrite].map((value) => `${value.median} ms`),
  ]);
  return markdown(head, rows);
}

function serverTable(results: ServerBenchResult[]): string {
  const head = ["tasks", "db", "start", "save in place → event p50/p95", "save by rename → event p50/p95", "PATCH p50/p95", ...results[0]!.load.map((l) => `GET ${l.path} req/s, p99`), "RSS start/after load/idle/peak"];
  const rows = results.map((r) => [
    r.size.toLocaleString("en"),
    r.db,
    `${Math.round(r.startMs / 100) / 10} s`,
    `${r.fileSaveToEvent.median} / ${r.fileSaveToEvent.p95} ms`,
    `${r.fileRenameToEvent.median} / ${r.fileRenameToEvent.p95} ms`,
    `${r.apiEditHttp.median} / ${r.apiEditHttp.p95} ms`,
    ...r.load.map((l) => `${l.requestsPerSecond}, ${l.latencyP99Ms} ms${l.non2xx + l.errors > 0 ? ` (${l.non2xx + l.errors} failed)` : ""}`),
    `${r.rssMiB.afterStart} / ${r.rssMiB.afterLoad} / ${r.rssMiB.idle} / ${r.rssMiB.peak} MiB`,
  ]);
  return markdown(head, rows);
}

function ms(value: Stats): string {
  return `${value.median} ms`;
}

function markdown(head: string[], rows: string[][]): string {
  const lines = [head, head.map(() => "---"), ...rows].map((cells) => `| ${cells.join(" | ")} |`);
  return lines.join("\n");
}

