import fs from "node:fs/promises";
import autocannon from "autocannon";
import type { DbKind } from "../lib/db/create-database";
import type { ScheduleConfigUpdated } from "../lib/events/events";
import { startAppProcess, TEST_TOKEN } from "../tests/_support/app-process";
import { connectRecordingSocket } from "../tests/_support/socket-client";
import { BENCH_MAX_BYTES } from "./engine-bench";
import { renameInText, sampleSchedule } from "./sample-schedule";
import { round, stats, timed, type Stats } from "./stats";

export interface ServerBenchOptions {
  db: DbKind;
  size: number;
  /** File saves (and API edits) measured. */
  samples: number;
  /** Seconds of load per endpoint. */
  loadSeconds: number;
  /** NODE_OPTIONS for the server (e.g. a heap limit), empty for Node's defaults. */
  nodeOptions: string;
  /** Seconds idle after the load before the memory is read again (long enough for V8 to give heap back). */
  idleSeconds: number;
  log: (line: string) => void;
}

export interface LoadResult {
  path: string;
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  errors: number;
  non2xx: number;
}

export interface ServerBenchResult {
  db: DbKind;
  size: number;
  /** Start-up (first import included) until the port answers. */
  startMs: number;
  /** Saving the file by hand (rewritten in place) until a socket gets schedule_config_updated for that task. */
  fileSaveToEvent: Stats;
  /** The same for a save that renames a new file over the old one. */
  fileRenameToEvent: Stats;
  /** PATCH /api/tasks/:id over HTTP, YAML write-through included. */
  apiEditHttp: Stats;
  load: LoadResult[];
  /**
   * Server process memory (MiB): right after start (the first import's garbage not yet
   * collected), right after the load, once idle after it (V8 gives unused heap back after a
   * while; see idleRss), and the peak.
   */
  rssMiB: { afterStart: number; afterLoad: number; idle: number; peak: number };
}

/**
 * The real server (server.ts, production build from NEXT_DIST_DIR) on a file of `size` tasks:
 * file save → Socket.IO latency, HTTP edits, and loopback load on the task list and dashboard.
 */
export async function serverBench(opts: ServerBenchOptions): Promise<ServerBenchResult> {
  const label = `${opts.db} ${opts.size} (server)`;
  let text = sampleSchedule(opts.size);
  const started = performance.now();
  // The default debounce and stable time (100 ms each), not the tests' 50 ms: what a user gets.
  const app = await startAppProcess({
    db: opts.db,
    yaml: text,
    env: {
      SYNC_DEBOUNCE_MS: "100",
      SYNC_STABLE_MS: "100",
      YAML_MAX_BYTES: String(BENCH_MAX_BYTES),
      ...(opts.nodeOptions ? { NODE_OPTIONS: opts.nodeOptions } : {}),
    },
  });
  const startMs = round(performance.now() - started);
  const pid = app.child.pid!;
  const socket = await connectRecordingSocket(app.url);
  try {
    const afterStart = await rssMiB(pid);
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

    // Saves the way editors make them: rewritten in place (nano, `>`), or a new file renamed
    // over the old one (vim, VS Code, sed -i).
    const saveToEvent = async (how: "in place" | "rename", offset: number) => {
      const samples: number[] = [];
      for (let i = 0; i < opts.samples; i++) {
        const id = `task-${((i + offset) * 7919 + 3) % opts.size}`;
        text = renameInText(text, id, `Saved by hand ${how} ${i}`);
        const since = Date.now();
        if (how === "in place") await fs.writeFile(app.yamlPath, text);
        else {
          await fs.writeFile(`${app.yamlPath}.save~`, text);
          await fs.rename(`${app.yamlPath}.save~`, app.yamlPath);
        }
        const matches = (event: ScheduleConfigUpdated) => event.changedTaskIds.includes(id);
        await socket.next("schedule_config_updated", matches, 15_000, since);
        const hit = socket.received.find((e) => e.name === "schedule_config_updated" && e.at >= since && matches(e.payload as ScheduleConfigUpdated));
        samples.push(hit!.at - since);
        await sleep(150);
      }
      opts.log(`${label}: file save (${how}) → event median ${stats(samples).median} ms, p95 ${stats(samples).p95} ms`);
      return samples;
    };
    const saves = await saveToEvent("in place", 0);
    const renamedSaves = await saveToEvent("rename", opts.samples);

    const edits: number[] = [];
    for (let i = 0; i < opts.samples; i++) {
      const id = `task-${(i * 104_729 + 11) % opts.size}`;
      edits.push(
        await timed(async () => {
          const res = await app.api(`/api/tasks/${id}`, { method: "PATCH", json: { description: `Edited over HTTP ${i}` } });
          if (res.status !== 200) throw new Error(`${label}: PATCH answered ${res.status}: ${await res.text()}`);
        }),
      );
    }
    opts.log(`${label}: PATCH median ${stats(edits).median} ms`);

    const load: LoadResult[] = [];
    for (const path of ["/api/tasks?limit=100", "/api/tasks?limit=100&offset=5000&q=task", "/"]) {
      const result = await autocannon({
        url: `${app.url}${path}`,
        connections: 10,
        duration: opts.loadSeconds,
        headers: { authorization: `Bearer ${TEST_TOKEN}` },
      });
      load.push({
        path,
        requestsPerSecond: round(result.requests.average),
        latencyP50Ms: result.latency.p50,
        latencyP99Ms: result.latency.p99,
        errors: result.errors,
        non2xx: result.non2xx,
      });
      opts.log(`${label}: GET ${path} ${round(result.requests.average)} req/s, p99 ${result.latency.p99} ms${result.non2xx ? `, ${result.non2xx} non-2xx` : ""}`);
    }
    const afterLoad = await rssMiB(pid);
    const idle = await idleRss(pid, opts.idleSeconds);
    opts.log(`${label}: RSS ${afterStart.rss} MiB after start, ${afterLoad.rss} after the load, ${idle.rss} idle (${idle.seconds} s later)`);
    return {
      db: opts.db,
      size: opts.size,
      startMs,
      fileSaveToEvent: stats(saves),
      fileRenameToEvent: stats(renamedSaves),
      apiEditHttp: stats(edits),
      load,
      rssMiB: { afterStart: afterStart.rss, afterLoad: afterLoad.rss, idle: idle.rss, peak: idle.peak },
    };
  } finally {
    socket.close();
    await app.dispose();
  }
}

/**
 * The process's memory after `seconds` of idling: V8 gives unused heap back some 30-40 s after
 * the last burst of work (seen here: 596 MiB for 30 s after a load at 10k tasks, then 306).
 */
async function idleRss(pid: number, seconds: number): Promise<{ rss: number; peak: number; seconds: number }> {
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  return { ...(await rssMiB(pid)), seconds };
}

/** Resident and peak resident memory of a process, in MiB (Linux /proc). */
async function rssMiB(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await fs.readFile(`/proc/${pid}/status`, "utf8");
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { rss: round(kib("VmRSS") / 1024), peak: round(kib("VmHWM") / 1024) };
}
