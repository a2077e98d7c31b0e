export interface FailureLimiter {
  /** Seconds until `key` may try again; 0 when it may now. */
  retryAfter(key: string): number;
  /** Records one failure of `key`; returns retryAfter(key) after it. */
  fail(key: string): number;
}

export interface FailureLimiterOptions {
  /** Failures allowed within the window; the next attempt waits until the oldest ages out. */
  limit: number;
  windowMs: number;
  /** Addresses remembered at most (the oldest are forgotten first), so a flood cannot grow memory. */
  maxKeys?: number;
  now?: () => number;
}

/**
 * A sliding-window count of failed credential attempts per client address (login, Bearer
 * tokens, the Socket.IO handshake). Success does not clear it: an attacker sharing an address
 * with a script that holds the token would otherwise have its count reset by every request of
 * the script. Per process: behind a load balancer each instance counts its own.
 */
export function createFailureLimiter({ limit, windowMs, maxKeys = 10_000, now = Date.now }: FailureLimiterOptions): FailureLimiter {
  const failures = new Map<string, number[]>();
  const recent = (key: string, at: number) => {
    const times = failures.get(key);
    if (!times) return [];
    while (times.length > 0 && times[0]! <= at - windowMs) times.shift();
    if (times.length === 0) failures.delete(key);
    return times;
  };
  const retryAfter = (key: string) => {
    const at = now();
    const times = recent(key, at);
    if (times.length < limit) return 0;
    return Math.max(1, Math.ceil((times[times.length - limit]! + windowMs - at) / 1000));
  };
  return {
    retryAfter,
    fail(key) {
      const at = now();
      const times = recent(key, at);
      times.push(at);
      if (times.length > limit) times.splice(0, times.length - limit);
      // Re-inserted last, so the eviction below drops the address that failed longest ago.
      failures.delete(key);
      failures.set(key, times);
      if (failures.size > maxKeys) failures.delete(failures.keys().next().value!);
      return retryAfter(key);
    },
  };
}
