/** The `retry` option: how often and how slowly transient failures are repeated. */
export interface RetryOptions {
  /** Tries in total, the first included. Default 5. */
  attempts?: number;
  /** Delay before the first repeat; doubles each time. Default 1000 ms. */
  baseDelayMs?: number;
  /** Upper bound of one delay. Default 30000 ms. */
  maxDelayMs?: number;
}

/** The delay before repeating after failed `attempt` (1-based): exponential, capped, with jitter. */
export function backoffDelay(attempt: number, options: RetryOptions = {}, random = Math.random): number {
  const { baseDelayMs = 1000, maxDelayMs = 30_000 } = options;
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  // Jitter in the upper half spreads clients that failed together without ever retrying at once.
  return ceiling / 2 + (random() * ceiling) / 2;
}
