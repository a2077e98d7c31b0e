/** Timers the loop waits with; a simulation passes virtual ones. */
export interface LoopClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: LoopClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface LoopStatus {
  /** Something may differ and a run is due (or running). */
  dirty: boolean;
  running: boolean;
  /** When the next attempt runs, after a failure. */
  retryAt: number | null;
  /** Failures in a row. */
  attempt: number;
  lastError: string | null;
}

export interface ConvergenceLoopOptions {
  /** One sync run. */
  run(reason: string): Promise<unknown>;
  /** Cheap: true when both sides are as the last run left them (nothing to do). */
  converged(): Promise<boolean>;
  /** Whether a failure may heal by itself (a lost database, a busy file) rather than waiting for the next change. */
  transient(error: unknown): boolean;
  clock?: LoopClock;
  /** First retry after this long; doubles per failure up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** The failure as the status shows it. */
  describe?(error: unknown): string;
  onStatus?(status: LoopStatus): void;
  onError?(error: unknown, status: LoopStatus): void;
}

export type ConvergenceLoop = ReturnType<typeof createConvergenceLoop>;

/**
 * Level-triggered sync, the way Kubernetes controllers reconcile: anything that may have
 * changed either side marks the loop dirty, and it runs until a run leaves both sides equal
 * (the engine's cheap `converged` check) apart from open conflicts. A run that fails with a
 * transient error is retried with exponential backoff until it succeeds; one that fails for a
 * reason only a person can fix (an invalid file) waits for the next change. Marks that arrive
 * while a run is in flight cause exactly one more run.
 */
export function createConvergenceLoop(options: ConvergenceLoopOptions) {
  const clock = options.clock ?? systemClock;
  const backoffMs = options.backoffMs ?? 500;
  const maxBackoffMs = options.maxBackoffMs ?? 15_000;
  let dirty = false;
  let reason = "startup";
  let running: Promise<void> | null = null;
  let timer: unknown = null;
  let retryAt: number | null = null;
  let attempt = 0;
  let lastError: string | null = null;
  let closed = false;
  const waiters: (() => void)[] = [];

  const status = (): LoopStatus => ({ dirty, running: running !== null, retryAt, attempt, lastError });
  const changed = () => options.onStatus?.(status());

  function schedule(ms: number) {
    if (closed || running || timer !== null) return;
    timer = clock.setTimeout(() => {
      timer = null;
      retryAt = null;
      void cycle();
    }, ms);
  }

  async function cycle() {
    if (closed || running) return;
    running = (async () => {
      while (dirty && !closed) {
        dirty = false;
        const why = reason;
        try {
          await options.run(why);
          // Anything that changed while the run held its locks is another reason to run.
          if (!(await options.converged())) dirty = true;
          attempt = 0;
          lastError = null;
        } catch (error) {
          lastError = options.describe ? options.describe(error) : error instanceof Error ? error.message : String(error);
          attempt++;
          if (options.transient(error)) {
            dirty = true;
            retryAt = clock.now() + Math.min(maxBackoffMs, backoffMs * 2 ** (attempt - 1));
          }
          options.onError?.(error, status());
          break;
        }
      }
    })();
    changed();
    await running;
    running = null;
    if (dirty && retryAt !== null) schedule(Math.max(0, retryAt - clock.now()));
    else if (dirty) schedule(0);
    changed();
    if (!dirty || closed) for (const wake of waiters.splice(0)) wake();
  }

  return {
    /** Something may have changed either side: sync until both agree again. */
    markDirty(why: string) {
      if (closed) return;
      dirty = true;
      reason = why;
      // During a backoff wait the retry timer is already set; the mark rides along with it.
      schedule(0);
      changed();
    },
    status,
    /** Resolves once the loop has nothing to do (converged, or waiting for a person to fix the file). */
    idle(): Promise<void> {
      if (!dirty && !running) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    async close() {
      closed = true;
      if (timer !== null) clock.clearTimeout(timer);
      timer = null;
      await running;
      for (const wake of waiters.splice(0)) wake();
    },
  };
}
