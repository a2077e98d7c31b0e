import { createEventBus } from "@/lib/events/event-bus";
import { isCodedError } from "@/lib/errors";
import type { LoopClock } from "@/lib/sync/engine/convergence-loop";
import { createSyncEngine, type SyncEngine, type TaskWriteResult } from "@/lib/sync/engine/sync-engine";
import { createMemorySyncStorage, type MemorySyncStorage } from "@/lib/sync/storage/memory-sync-storage";
import type { SyncStorage, SyncTransaction } from "@/lib/sync/storage/sync-storage";
import { taskOf } from "@/lib/tasks/stored-task";
import { normalizeTask, TASK_FIELDS, tasksEqual, type Task, type TaskField } from "@/lib/tasks/task-schema";
import { applySchedulePatch, createMemoryScheduleStore, parseSchedule, sha256Checksum, type MemoryScheduleStore, type ScheduleStore } from "@/lib/yaml";

/**
 * A deterministic simulation of everything that happens around the sync engine, in the way
 * FoundationDB and TigerBeetle test: one seed decides a schedule of hand edits (some written
 * in two parts), API writes, watcher events (on time, late, twice or never), database outages,
 * lost commits and crashes, on the in-memory storage and file store with a virtual clock. After
 * the schedule, faults stop, time passes, the cron safety net ticks once, and the end state is
 * checked against what every actor was told:
 *
 * - every field's last write (the last hand edit saved, or the last acknowledged API write, or
 *   one that overlapped it in time) is on both sides, or one side of an open conflict;
 * - nothing is absent that no one deleted, nothing is back that someone deleted last;
 * - apart from open conflicts both sides are equal, the base agrees, and the engine's own view
 *   (drift, the loop's status) says there is nothing to do.
 *
 * A failing seed is printed and replays with SIM_SEED=<seed>.
 */

export interface SimulationOptions {
  seed: number;
  steps: number;
  tasks: number;
  faults: boolean;
  /**
   * The watcher drops some events (as chokidar does in bursts) and the cron safety net ticks at
   * the end. Without it every save is seen and no cron runs: the loop alone must converge.
   */
  safetyNet: boolean;
  /** Some hand edits are saved from a stale copy of the file (issue #17: lineage keeps what they did not change). */
  staleWriters?: boolean;
}

export interface SimulationResult {
  seed: number;
  violations: string[];
  trace: string[];
  counts: Record<string, number>;
}

// ---- deterministic randomness and time ----------------------------------------------------

function prng(seed: number) {
  let state = seed >>> 0 || 1;
  const next = () => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    chance: (p: number) => next() < p,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
  };
}

class VirtualClock implements LoopClock {
  time = 0;
  private seq = 0;
  private timers: { at: number; seq: number; fn: () => void }[] = [];
  now = () => this.time;
  setTimeout = (fn: () => void, ms: number) => {
    const timer = { at: this.time + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return timer;
  };
  clearTimeout = (handle: unknown) => {
    this.timers = this.timers.filter((t) => t !== handle);
  };
  /** Runs every timer due up to `until`, in order, letting the work each starts settle. */
  async advance(until: number) {
    for (;;) {
      await settle();
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0];
      if (!next || next.at > until) break;
      this.timers.shift();
      this.time = Math.max(this.time, next.at);
      next.fn();
    }
    this.time = Math.max(this.time, until);
    await settle();
  }
  pending() {
    return this.timers.length;
  }
}

/** Lets every promise that can make progress now do so (the adapters resolve without timers). */
async function settle() {
  // Nothing here waits on a real timer: one turn of the event loop runs every microtask.
  await new Promise((resolve) => setImmediate(resolve));
}

// ---- faults around the in-memory adapters --------------------------------------------------

interface Faults {
  /** The database refuses every connection. */
  down: boolean;
  /** The next commit's answer is lost: `rolled_back` the commit failed, `committed` it went through. */
  lostCommit: "rolled_back" | "committed" | null;
  /** The process dies at the next commit: the transaction is gone and nothing is put back. */
  crashAtCommit: boolean;
  crashed: boolean;
}

const unavailable = () => Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432 (simulated outage)"), { code: "ECONNREFUSED" });

function faultyStorage(inner: MemorySyncStorage, faults: Faults): SyncStorage {
  const guard = <T>(fn: () => Promise<T>): Promise<T> => (faults.down ? Promise.reject(unavailable()) : fn());
  const reads = Object.fromEntries(
    Object.entries(inner.reads).map(([name, fn]) => [name, (...args: unknown[]) => guard(() => (fn as (...a: unknown[]) => Promise<unknown>)(...args))]),
  ) as unknown as SyncStorage["reads"];
  return {
    kind: "memory",
    reads,
    recordRun: (run) => guard(() => inner.recordRun(run)),
    async transaction(work, options) {
      if (faults.down) throw unavailable();
      let committedAnyway = false;
      const result = await inner.transaction(async (tx: SyncTransaction) => {
        const value = await work(tx);
        if (faults.crashAtCommit) {
          faults.crashAtCommit = false;
          faults.crashed = true;
          throw new Error("simulated crash at commit");
        }
        if (faults.lostCommit === "rolled_back") {
          faults.lostCommit = null;
          throw unavailable();
        }
        if (faults.lostCommit === "committed") {
          faults.lostCommit = null;
          committedAnyway = true;
        }
        return value;
      }, options);
      if (committedAnyway) throw unavailable();
      return result;
    },
  };
}

/**
 * A crashed process never puts the file back. And like the file store, which waits for a file
 * another program is writing to settle before it reads it under the lock, this one waits while
 * a write in two parts is under way (`writing`).
 */
function faultyStore(inner: MemoryScheduleStore, faults: Faults, clock: VirtualClock, writing: () => boolean): ScheduleStore {
  const settled = async () => {
    while (writing()) await new Promise((resolve) => clock.setTimeout(() => resolve(undefined), 25));
  };
  return {
    path: inner.path,
    read: () => inner.read(),
    write: async (patch, opts) => (await settled(), inner.write(patch, opts)),
    pinBackup: (text) => inner.pinBackup(text),
    releasePinnedBackups: () => inner.releasePinnedBackups(),
    withLock: async (fn, opts) =>
      (await settled(),
      inner.withLock(
        (file) =>
          fn({
            read: () => file.read(),
            write: async (patch, writeOpts) => {
              const result = await file.write(patch, writeOpts);
              return { ...result, tasks: result.tasks, revert: () => (faults.crashed ? Promise.resolve(false) : result.revert()) };
            },
          }),
        opts,
      )),
  };
}

// ---- the oracle -----------------------------------------------------------------------------

type Value = Task[TaskField] | "absent";

interface WriteEvent {
  n: number;
  actor: "hand" | "api";
  /**
   * An API write answered with a lost database: it may have committed all the same (the
   * commit's answer lost), so its value may be what the sides hold after a later write.
   */
  maybe?: boolean;
  task: string;
  /** The fields this write decided, and to what ("absent" for a deletion). */
  fields: Map<TaskField, Value>;
  issuedAt: number;
  doneAt: number;
  /** A hand edit: the whole task as the saved file holds it (null: absent). */
  value?: Task | null;
  /** A hand edit saved from a stale buffer: when that copy of the file was read. */
  staleFrom?: number;
}

const same = (a: Value, b: Value) => JSON.stringify(a) === JSON.stringify(b);
const valueOf = (task: Task | null | undefined, field: TaskField): Value => (task ? task[field] : "absent");
const allFields = (task: Task | null): Map<TaskField, Value> => new Map(TASK_FIELDS.map((f) => [f, valueOf(task, f)]));

// ---- the simulation ---------------------------------------------------------------------------

const NAMES = ["Backup", "Report", "Cleanup", "Rotate logs", "Sync mirrors"];
const COMMANDS = ["/bin/a", "/bin/b --full", "/opt/c.sh", "curl -f localhost", "make nightly"];
const SCHEDULES = ["0 * * * *", "0 2 * * *", "*/5 * * * *", "30 4 * * 1", "0 9 * * 1-5"];

export async function simulate(options: SimulationOptions): Promise<SimulationResult> {
  const rng = prng(options.seed);
  const clock = new VirtualClock();
  const faults: Faults = { down: false, lostCommit: null, crashAtCommit: false, crashed: false };
  const memory = createMemorySyncStorage({ now: () => new Date(Date.UTC(2026, 0, 1) + clock.time) });
  const storage = faultyStorage(memory, faults);
  const file = createMemoryScheduleStore();
  let partialPending = false;
  const store = faultyStore(file, faults, clock, () => partialPending);
  const trace: string[] = [];
  const counts: Record<string, number> = {};
  const count = (what: string) => (counts[what] = (counts[what] ?? 0) + 1);
  const log = (line: string) => trace.push(`t=${clock.time} ${line}`);
  const events: WriteEvent[] = [];
  /** When a run died at its commit, its file write left in place (virtual time). */
  const crashedCommits: number[] = [];
  let eventNo = 0;
  const ids = Array.from({ length: options.tasks }, (_, i) => `task-${i}`);
  const randomTask = (id: string): Task =>
    normalizeTask({ id, name: rng.pick(NAMES), schedule: rng.pick(SCHEDULES), command: rng.pick(COMMANDS), enabled: rng.chance(0.8) });

  const newEngine = () =>
    createSyncEngine({ storage, store, events: createEventBus(), autoMerge: true, deleteGuard: null, clock, log: () => undefined, partialWriteMs: 1000 });
  let engine: SyncEngine = newEngine();
  let inFlight = 0;

  // The seed file: every task written by hand at t=0.
  const seed = ids.filter(() => rng.chance(0.7)).map(randomTask);
  file.setText(applySchedulePatch(null, { upsert: seed }).text);
  for (const task of seed) events.push({ n: eventNo++, actor: "hand", task: task.id, fields: allFields(task), issuedAt: 0, doneAt: 0 });
  void engine.startup().catch(() => undefined);
  await clock.advance(0);

  /** The watcher: sees a save on time, late, twice, or not at all (chokidar drops events in bursts). */
  function watcherSees() {
    const deliver = () => {
      const text = file.text();
      if (!engine.isKnownChecksum(text === null ? null : sha256Checksum(text))) engine.markDirty("watch");
    };
    const roll = rng.next() * (options.safetyNet ? 1 : 0.85);
    if (roll < 0.55) clock.setTimeout(deliver, 150);
    else if (roll < 0.75) clock.setTimeout(deliver, 150 + rng.int(2000));
    else if (roll < 0.85) {
      clock.setTimeout(deliver, 150);
      clock.setTimeout(deliver, 400);
    } else count("watcher event dropped");
  }

  // Copies of the file as it was, for writers that save a stale buffer (an editor that does not
  // notice outside changes, a script that read the file a while ago, `git checkout`).
  const buffers: { text: string | null; at: number }[] = [];
  function handEdit(stale = false) {
    if (partialPending || (stale && buffers.length === 0)) return;
    const buffer = stale ? buffers[rng.int(buffers.length)] : { text: file.text(), at: clock.time };
    const text = buffer.text;
    const parsed = text === null ? null : parseSchedule(text);
    if (parsed && !parsed.ok) return;
    const current = parsed?.ok ? parsed.tasks : new Map<string, Task>();
    const id = rng.pick(ids);
    const before = current.get(id) ?? null;
    let after: Task | null;
    let fields: Map<TaskField, Value>;
    // A rename (issue #17): the task moves to an id the file lacks, every field as it was. For the
    // oracle it is what the file did: `id` deleted, `renamedTo` created with the same fields.
    const free = ids.filter((other) => !current.has(other));
    const renamedTo = before !== null && free.length > 0 && rng.chance(0.1) ? rng.pick(free) : null;
    if (renamedTo !== null) {
      after = null;
      fields = allFields(null);
    } else if (before === null) {
      after = randomTask(id);
      fields = allFields(after);
    } else if (rng.chance(0.15)) {
      after = null;
      fields = allFields(null);
    } else {
      const field = rng.pick(["name", "command", "schedule", "enabled"] as const);
      const changed = { ...before, [field]: field === "enabled" ? !before.enabled : rng.pick(field === "name" ? NAMES : field === "command" ? COMMANDS : SCHEDULES) } as Task;
      after = changed;
      fields = new Map([[field, valueOf(changed, field)]]);
    }
    const moved = renamedTo !== null ? { ...before!, id: renamedTo } : null;
    const patch = moved ? { upsert: [moved], delete: [id] } : after ? { upsert: [after] } : { delete: [id] };
    const next = applySchedulePatch(parsed?.ok ? { text: text!, parsed } : null, patch).text;
    const record = () => {
      file.setText(next);
      // Each copy is saved once (a script's run, a checkout, an editor closed after saving): a
      // buffer saved again after other writers changed the file holds a version the server never
      // saw as a whole, which lineage cannot trace (docs/ARCHITECTURE.md, "Lineage").
      if (stale) buffers.splice(buffers.indexOf(buffer), 1);
      events.push({ n: eventNo++, actor: "hand", task: id, fields, issuedAt: clock.time, doneAt: clock.time, value: after, staleFrom: stale ? buffer.at : undefined });
      if (moved) {
        events.push({ n: eventNo++, actor: "hand", task: moved.id, fields: allFields(moved), issuedAt: clock.time, doneAt: clock.time, value: moved, staleFrom: stale ? buffer.at : undefined });
        count("hand rename");
      }
      if (stale) count("stale buffer saved");
      log(`${stale ? `stale buffer (read at ${buffer.at})` : "hand"} ${moved ? `rename ${id} -> ${moved.id}` : `edit ${id} ${JSON.stringify(Object.fromEntries(fields))}`}`);
      watcherSees();
    };
    if (rng.chance(0.1) && next.length > 40) {
      // Written in two parts: the first half saved now, the rest a while later.
      partialPending = true;
      const cut = 20 + rng.int(next.length - 20);
      file.setText(next.slice(0, cut));
      watcherSees();
      count("partial write");
      log(`partial write of ${id}: ${cut}/${next.length} bytes`);
      clock.setTimeout(() => {
        partialPending = false;
        record();
      }, 50 + rng.int(2500));
    } else {
      record();
    }
  }

  function apiWrite() {
    const id = rng.pick(ids);
    const issuedAt = clock.time;
    const roll = rng.next();
    let call: Promise<TaskWriteResult>;
    let kind: string;
    let intended: Map<TaskField, Value> | null = null;
    if (roll < 0.6) {
      const field = rng.pick(["name", "command", "schedule", "enabled"] as const);
      const value = field === "enabled" ? rng.chance(0.5) : rng.pick(field === "name" ? NAMES : field === "command" ? COMMANDS : SCHEDULES);
      kind = `patch ${field}=${JSON.stringify(value)}`;
      intended = new Map([[field, value]]);
      call = engine.writeTask({ kind: "patch", id, patch: (t) => normalizeTask({ ...t, [field]: value }) });
    } else if (roll < 0.8) {
      const task = randomTask(id);
      kind = "create";
      intended = allFields(task);
      call = engine.writeTask({ kind: "create", task });
    } else {
      kind = "delete";
      intended = allFields(null);
      call = engine.writeTask({ kind: "delete", id });
    }
    inFlight++;
    count("api write");
    call.then(
      (result) => {
        inFlight--;
        // Acknowledged: the fields it set are what it reports (after a merge with a hand edit).
        // A patch that changed nothing and met a deletion in the file has no effect to keep.
        const noEffect = kind !== "delete" && result.task === null;
        const fields = new Map([...intended!.keys()].map((f) => [f, valueOf(result.task ? taskOf(result.task) : null, f)] as const));
        if (!noEffect) events.push({ n: eventNo++, actor: "api", task: id, fields, issuedAt, doneAt: clock.time });
        log(`api ${kind} ${id} (issued ${issuedAt}): ${result.conflict ? `202 conflict ${result.conflict.kind}` : "ok"} -> ${result.task ? JSON.stringify(taskOf(result.task)) : "absent"}`);
        count(result.conflict ? "api acknowledged with a conflict" : "api acknowledged");
      },
      (error: unknown) => {
        inFlight--;
        const code = isCodedError(error) ? error.code : (error as Error).message;
        log(`api ${kind} ${id}: refused ${code}`);
        count("api refused");
        if (!isCodedError(error) && kind !== "create") events.push({ n: eventNo++, actor: "api", task: id, fields: intended!, issuedAt, doneAt: clock.time, maybe: true });
      },
    );
  }

  async function crash() {
    // Half the time at a commit: the transaction is lost and the file stays as the run left it.
    if (rng.chance(0.5)) {
      faults.crashAtCommit = true;
      engine.markDirty("converge");
      await clock.advance(clock.time + 1);
      if (faults.crashed) crashedCommits.push(clock.time);
      faults.crashAtCommit = false;
    }
    // What the dead process had in flight ends (its loop stops, its timers are gone).
    let closed = false;
    void engine.close().finally(() => (closed = true));
    while (!closed) await clock.advance(clock.time + 200);
    faults.crashed = false;
    count("crash");
    log("crash and restart");
    engine = newEngine();
    void engine.startup().catch(() => undefined);
  }

  for (let step = 0; step < options.steps; step++) {
    const roll = rng.next();
    if (options.staleWriters && roll < 0.1) handEdit(true);
    else if (roll < 0.3) handEdit();
    else if (roll < 0.6) apiWrite();
    else if (options.faults && roll < 0.65 && !faults.down) {
      faults.down = true;
      const duration = 100 + rng.int(6000);
      count("database outage");
      log(`database down for ${duration} ms`);
      clock.setTimeout(() => {
        faults.down = false;
        log("database back");
      }, duration);
    } else if (options.faults && roll < 0.69) {
      faults.lostCommit = rng.chance(0.5) ? "rolled_back" : "committed";
      count(`lost commit (${faults.lostCommit})`);
    } else if (options.faults && roll < 0.71) {
      await crash();
    } else if (options.safetyNet && roll < 0.76) {
      void engine.run({ trigger: "cron" }).catch(() => undefined);
    }
    // Someone reads the file now and keeps the copy (after this step's action, so it holds it).
    // Only a file the server has synced: lineage traces a file to versions the server saw, and a
    // copy of a file it never read (it was down) cannot be traced (docs/ARCHITECTURE.md, "Lineage").
    const now = file.text();
    if (options.staleWriters && now !== null && engine.isKnownChecksum(sha256Checksum(now)) && rng.chance(0.3)) buffers.push({ text: now, at: clock.time });
    await clock.advance(clock.time + rng.int(400));
  }

  // Quiescence: no more faults, every pending save completed, the loop given time, one cron tick.
  faults.down = false;
  faults.lostCommit = null;
  await clock.advance(clock.time + 30_000);
  while (inFlight > 0 || partialPending) await clock.advance(clock.time + 1000);
  if (options.safetyNet) {
    await engine.run({ trigger: "cron" }).catch((error: Error) => log(`final cron failed: ${error.message}`));
    await clock.advance(clock.time + 30_000);
  }

  const violations = await check();
  // How many of the hand renames the engine recorded as renames (the rest met a DB edit of the
  // old task, or content another task shares, and went as a deletion and a creation).
  for (const run of await memory.reads.listRuns({ limit: 10_000 })) {
    const renamed = (run.counts as { renamed?: number }).renamed ?? 0;
    if (renamed > 0) counts["rename recorded"] = (counts["rename recorded"] ?? 0) + renamed;
  }
  await engine.close();
  return { seed: options.seed, violations, trace, counts };

  async function check(): Promise<string[]> {
    const out: string[] = [];
    const text = file.text();
    const parsed = text === null ? null : parseSchedule(text);
    if (parsed && !parsed.ok) return [`the file is invalid at the end: ${parsed.issues[0]!.message}`];
    const yaml = parsed?.ok ? parsed.tasks : new Map<string, Task>();
    const db = new Map([...(await memory.reads.loadTasks())].map(([id, row]) => [id, taskOf(row)]));
    const base = await memory.reads.loadBase();
    const open = await memory.reads.loadOpenConflicts();
    // Virtual time of a stored timestamp (the storage's clock is the simulation's).
    const at = (iso: string) => Date.parse(iso) - Date.UTC(2026, 0, 1);
    const revisions = await memory.reads.listRevisions({ limit: 10_000 });
    // Runs that kept a newer value over a file's older one, by when they finished (virtual time).
    const kept: { at: number; ids: string[] }[] = [];
    for (const run of await memory.reads.listRuns({ limit: 10_000 })) {
      const lineage = run.counts.lineage as { keptNewer?: string[] } | undefined;
      if (lineage?.keptNewer && run.finishedAt) kept.push({ at: at(run.finishedAt), ids: lineage.keptNewer });
    }
    /**
     * A hand edit that a stale buffer saved over on disk before the server read the file (no
     * revision accepted after it holds its value) is gone before any program but the editor saw
     * it: two people overwriting each other in their editors. Not the sync's to keep.
     */
    async function overwrittenUnseen(event: WriteEvent): Promise<boolean> {
      if (event.actor !== "hand" || event.value === undefined) return false;
      for (const save of events) {
        if (save.staleFrom === undefined || save === event || !(save.staleFrom < event.doneAt && save.doneAt >= event.doneAt)) continue;
        let seen = false;
        for (const revision of revisions) {
          const when = at(revision.createdAt);
          if (revision.source !== "yaml" || when < event.doneAt || when > save.doneAt) continue;
          const held = (await memory.reads.loadRevisionTasks(revision.id, [event.task])).get(event.task) ?? null;
          if (held === null || event.value === null ? held === event.value : tasksEqual(held, event.value)) seen = true;
        }
        if (!seen) {
          count("hand edit overwritten on disk by a stale buffer before the server read it");
          return true;
        }
      }
      return false;
    }
    /**
     * A hand edit that puts a field back as an earlier file version had it (the value before the
     * server changed it) is, by content, what a copy saved from before that change looks like:
     * lineage may keep the newer value there, but only visibly. The oracle accepts that when a run
     * that finished after the edit lists the task as kept newer.
     *
     * Known gap, accepted and counted apart: the run that keeps the newer value writes it to the
     * file, then dies at its commit. Its record is gone, so nothing says so; the real store's
     * backup of the file holds the edit (first seen with seed 100263 of the long run).
     */
    async function revertKeptVisibly(event: WriteEvent, field: TaskField): Promise<boolean> {
      if (event.actor !== "hand" || event.value === undefined) return false;
      const noticed = kept.some((run) => run.at >= event.doneAt && run.ids.includes(event.task));
      const unrecorded = !noticed && crashedCommits.some((at) => at >= event.doneAt);
      if (!noticed && !unrecorded) return false;
      const wanted = event.fields.get(field)!;
      for (const revision of revisions) {
        if (at(revision.createdAt) > event.doneAt) continue;
        const earlier = (await memory.reads.loadRevisionTasks(revision.id, [event.task])).get(event.task) ?? null;
        if (same(valueOf(earlier, field), wanted)) {
          count(noticed ? "hand revert kept as newer, visibly" : "hand revert kept as newer by a run that died at its commit, unrecorded");
          return true;
        }
      }
      return false;
    }

    for (const id of ids) {
      const y = yaml.get(id) ?? null;
      const d = db.get(id) ?? null;
      const conflict = open.get(id);
      if (!conflict && JSON.stringify(y) !== JSON.stringify(d)) out.push(`${id}: file and DB differ with no open conflict: ${JSON.stringify(y)} vs ${JSON.stringify(d)}`);
      if (!conflict && JSON.stringify(base.get(id) ?? null) !== JSON.stringify(d)) out.push(`${id}: the base is not what both sides hold`);
      for (const field of TASK_FIELDS) {
        const writes = events.filter((e) => e.task === id && e.fields.has(field));
        const known = writes.filter((e) => !e.maybe);
        if (known.length === 0) continue;
        const last = known.reduce((a, b) => (b.doneAt > a.doneAt || (b.doneAt === a.doneAt && b.n > a.n) ? b : a));
        // The last write anyone was told about, what overlapped it, and a write refused with a
        // lost database after it (its commit may have gone through).
        const candidates = writes.filter((e) => e === last || (e.issuedAt <= last.doneAt && e.doneAt >= last.issuedAt) || (e.maybe && e.issuedAt >= last.issuedAt));
        const held = conflict ? [valueOf(y, field), valueOf(d, field)] : [valueOf(y, field)];
        if (!candidates.some((e) => held.some((v) => same(v, e.fields.get(field)!))) && !(await revertKeptVisibly(last, field)) && !(await overwrittenUnseen(last))) {
          out.push(
            `${id}.${field}: the last write (${last.actor} #${last.n} at ${last.doneAt}: ${JSON.stringify(last.fields.get(field))}) is lost; ` +
              `${conflict ? "conflict sides" : "both sides"} hold ${held.map((v) => JSON.stringify(v)).join(" / ")}`,
          );
        }
      }
    }
    const drift = await engine.drift();
    if (drift.differing.size > 0) out.push(`the engine still sees drift: ${[...drift.differing.keys()].join(", ")}`);
    const loop = engine.status().loop;
    if (loop.dirty || loop.retryAt !== null) out.push(`the loop is not at rest: ${JSON.stringify(loop)}`);
    return out;
  }
}
