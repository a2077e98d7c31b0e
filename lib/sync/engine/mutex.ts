/** Serializes async work in this process: each call waits for the previous one to settle. */
export function createMutex() {
  let tail: Promise<unknown> = Promise.resolve();
  let pending = 0;
  return {
    run<T>(fn: () => Promise<T>): Promise<T> {
      pending++;
      const result = tail.then(fn, fn);
      tail = result.then(
        () => pending--,
        () => pending--,
      );
      return result;
    },
    get busy() {
      return pending > 0;
    },
    /** Resolves when everything queued so far has settled. */
    idle(): Promise<void> {
      return tail.then(() => undefined);
    },
  };
}
