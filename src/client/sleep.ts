/** Waits `ms` milliseconds; rejects with the signal's reason as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      signal?.aborted ? reject(signal.reason) : resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.aborted ? done() : signal?.addEventListener('abort', done);
  });
}
