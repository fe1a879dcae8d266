/**
 * The longest delay a JavaScript timer takes (a signed 32-bit count of milliseconds, about 24.8 days).
 * A longer one is not refused: Node warns `TimeoutOverflowWarning` and fires after 1 ms, browsers fire
 * at once without a word.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Calls `fire` once `ms` milliseconds have passed, for any finite `ms`: a delay past
 * {@link MAX_TIMER_MS} is waited in steps, so a 30-day timeout means 30 days, not 1 ms.
 * Returns the function that cancels it.
 */
export function setLongTimeout(ms: number, fire: () => void): () => void {
  let timer: ReturnType<typeof setTimeout>;
  const step = (left: number) => {
    timer = left > MAX_TIMER_MS ? setTimeout(() => step(left - MAX_TIMER_MS), MAX_TIMER_MS) : setTimeout(fire, left);
  };
  step(ms);
  return () => clearTimeout(timer);
}

/** Waits `ms` milliseconds (any finite number, see {@link setLongTimeout}); rejects with the signal's reason as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      cancel();
      signal?.removeEventListener('abort', done);
      signal?.aborted ? reject(signal.reason) : resolve();
    };
    const cancel = setLongTimeout(ms, done);
    signal?.aborted ? done() : signal?.addEventListener('abort', done);
  });
}
