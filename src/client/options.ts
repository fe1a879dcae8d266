// The client's options in their own module, so the store seam can name them without importing the client.
import type { Connection } from './auth.js';
import { checkNumber } from './check-option.js';
import type { Hooks, Logger } from './hooks.js';
import type { RateLimit } from './rate-limiter.js';
import type { RetryOptions } from './retry.js';
import type { Bitrix24Store } from '../store/store.js';
import { REQUEST_TIME_LIMIT_MS } from '../wire/bitrix24.js';

/** Options of {@link createBitrix24Client}: a connection plus transport, limit and retry settings. */
export type Bitrix24ClientOptions = Connection & {
  /**
   * The `fetch` to use; defaults to the global `fetch` as it is at each request, so a mock installed
   * after the client was made (MSW's `server.listen()`) still sees its calls. Handy for tests and custom agents.
   */
  fetch?: typeof globalThis.fetch;
  /**
   * Client-side leaky bucket shared by every request of this client: a plan preset (`'standard'`:
   * 2 req/s drain, threshold 50; `'enterprise'`: 5 req/s, 250), custom `{ drainPerSecond, threshold }`, or `false`.
   * The bucket counts as full 10% (at least 2) below the threshold. Default `'standard'`.
   */
  rateLimit?: RateLimit;
  /**
   * Repeats of 503 `QUERY_LIMIT_EXCEEDED`, 5xx, network errors and timeouts with exponential backoff
   * and jitter; `false` turns them off. Default `{ attempts: 5, baseDelayMs: 1000, maxDelayMs: 30000 }`.
   */
  retry?: false | RetryOptions;
  /**
   * 429 `OPERATION_TIME_LIMIT`: wait until the method's `operating_reset_at` if that is at most
   * `maxWaitMs` away (default 60000), else fail; `failFast: true` always fails at once.
   */
  operationTimeLimit?: { maxWaitMs?: number; failFast?: boolean };
  /** Longest wait for one HTTP answer (per attempt and redirect hop). Default 65000 ms. */
  timeoutMs?: number;
  /**
   * Largest answer body the client reads, in bytes (counted as it arrives, after decompression); a
   * larger one fails with `RESPONSE_TOO_LARGE` and its connection is closed. Default 8 MiB: answers of
   * this contract are a few KB, and a `batch` of 50 `items.get` of leads with 2,000 links each is about 6 MB.
   */
  maxResponseBytes?: number;
  /** Callbacks for each attempt, retry and wait. */
  hooks?: Hooks;
  /** Receives the client's debug lines; the client logs nothing without one. */
  logger?: Logger;
  /** Millisecond clock for the rate limiter and waits; for tests. Default `Date.now`. */
  now?: () => number;
  /** Sleep used for every wait; must reject when `signal` aborts. For tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * Where the rate-limit bucket and the OAuth tokens live when several processes call one portal,
   * e.g. `createRedisStore(redis)` from `b24-lead-contact/redis`. Default: in this client's memory.
   */
  store?: Bitrix24Store;
};

/** The default `maxResponseBytes`: 8 MiB (see the option's documentation for the reasoning). */
/** The default `timeoutMs`: a cloud portal cuts a request off after 60 s, plus time for the answer to arrive. */
export const DEFAULT_TIMEOUT_MS = REQUEST_TIME_LIMIT_MS + 5000;

export const DEFAULT_MAX_RESPONSE_BYTES = 8_388_608; // 8 MiB

/** Refuses timing and size options that would make waits (or reads) endless or zero, naming the option. */
export function checkOptions({
  timeoutMs,
  retry,
  operationTimeLimit,
  maxResponseBytes,
}: Pick<Bitrix24ClientOptions, 'timeoutMs' | 'retry' | 'operationTimeLimit' | 'maxResponseBytes'>) {
  checkNumber('timeoutMs', timeoutMs, 'positive number');
  checkNumber('maxResponseBytes', maxResponseBytes, 'whole number ≥ 1');
  // `retry: false` has no numbers to check.
  const { attempts, baseDelayMs, maxDelayMs } = retry || {};
  checkNumber('retry.attempts', attempts, 'whole number ≥ 1');
  checkNumber('retry.baseDelayMs', baseDelayMs, 'non-negative number');
  checkNumber('retry.maxDelayMs', maxDelayMs, 'non-negative number');
  checkNumber('operationTimeLimit.maxWaitMs', operationTimeLimit?.maxWaitMs, 'non-negative number');
}
