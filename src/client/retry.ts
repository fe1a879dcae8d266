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

/** What a failed attempt's caller needs to decide the next step, apart from the error. */
export interface RetryPolicy {
  /** The `retry` option in force for the call. */
  retry?: false | RetryOptions;
  /** A token refresh is set up and this call has not used it yet. */
  canRefresh: boolean;
  /** Milliseconds until the method's operating-time budget drops a basket; 0 or less when unknown or past. */
  resetInMs: number;
  /** The `operationTimeLimit` option: the longest wait for that reset, or fail at once. */
  maxWaitMs: number;
  failFast: boolean;
  /** Jitter source, for tests. Default `Math.random`. */
  random?: () => number;
}

/** The next step after a failed attempt: give up with its error, refresh the token and repeat, or wait and repeat. */
export type NextAttempt = { kind: 'throw' } | { kind: 'refresh' } | { kind: 'wait'; ms: number; reason: 'retry' | 'operation-time-limit' };

const GIVE_UP: NextAttempt = { kind: 'throw' };

/**
 * Decides what follows failed `attempt` (1-based), as {@link nextHop} does for redirects: a refresh
 * for the first `expired_token` (it does not count against `retry.attempts`); for a repeatable error
 * with attempts left, the wait before repeating, which is the method's budget reset for 429
 * `OPERATION_TIME_LIMIT` (https://apidocs.bitrix24.com/limits.html) and backoff for the rest.
 */
export function nextAttempt(error: { code: string; retryable: boolean }, attempt: number, policy: RetryPolicy): NextAttempt {
  const { code } = error;
  if (code === 'expired_token') return policy.canRefresh ? { kind: 'refresh' } : GIVE_UP;
  const { retry } = policy;
  if (!error.retryable || attempt >= (retry === false ? 1 : (retry?.attempts ?? 5))) return GIVE_UP;
  if (code === 'OPERATION_TIME_LIMIT') {
    if (policy.failFast || policy.resetInMs > policy.maxWaitMs) return GIVE_UP;
    // One second more, since Bitrix24 gives the reset time in whole seconds.
    if (policy.resetInMs > 0) return { kind: 'wait', ms: policy.resetInMs + 1000, reason: 'operation-time-limit' };
  }
  return { kind: 'wait', ms: backoffDelay(attempt, retry || {}, policy.random), reason: 'retry' };
}
