/**
 * Memoizes a pure one-argument function in a Map of at most `maxEntries` results; when full,
 * the oldest entry goes. For checks that are costly per call and see the same few inputs
 * over and over (time zones, cron expressions of a 10,000-task file).
 *
 * @example
 * const isValidZone = boundedMemo(1000, (zone: string) => checkZone(zone));
 */
export function boundedMemo<R>(maxEntries: number, fn: (key: string) => R): (key: string) => R {
  const memo = new Map<string, R>();
  return (key) => {
    if (memo.has(key)) return memo.get(key) as R;
    const result = fn(key);
    if (memo.size >= maxEntries) memo.delete(memo.keys().next().value!);
    memo.set(key, result);
    return result;
  };
}
