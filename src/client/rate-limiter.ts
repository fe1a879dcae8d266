import { type BucketNumbers, RATE_LIMIT_PLANS, type RatePlan } from '../wire/bitrix24.js';
import { checkNumber } from './check-option.js';

export { RATE_LIMIT_PLANS };

/** Custom bucket numbers under the name the client used before 0.2. */
export interface LegacyBucketNumbers {
  drainPerSecond: number;
  /** @deprecated Renamed `threshold`, as the sandbox and Bitrix24's limits page call it. */
  burst: number;
}

/** The `rateLimit` option: off, a plan preset, or custom bucket numbers (`{ drainPerSecond, threshold }`). */
export type RateLimit = false | RatePlan | BucketNumbers | LegacyBucketNumbers;

/**
 * A client-side copy of the portal's bucket, shared by every request of one client (or, through a
 * `store`, of every client of the portal; such a limiter answers `take` with a promise).
 */
export interface RateLimiter {
  /** Reserves a slot for one request and returns how many milliseconds to wait before sending it. */
  take(): number | Promise<number>;
  /** Gives back a slot reserved by {@link RateLimiter.take} whose request was never sent. */
  give(): void;
  /** Marks the bucket full, after the portal answered 503 `QUERY_LIMIT_EXCEEDED`. */
  fill(): void;
}

/** The in-process limiter: it answers at once. */
export interface LocalRateLimiter extends RateLimiter {
  take(): number;
}

/**
 * The numbers a limiter for `limit` paces by: the drain rate and the level at which it counts the
 * bucket as full. Throws a `TypeError` naming the option for an unknown plan or unusable numbers.
 */
export function bucketFor(limit: Exclude<RateLimit, false>): { drainPerSecond: number; capacity: number } {
  if (typeof limit === 'string' && !(limit in RATE_LIMIT_PLANS)) {
    throw new TypeError(`rateLimit must be false, 'standard', 'enterprise' or { drainPerSecond, threshold }, got '${limit}'`);
  }
  const numbers = typeof limit === 'string' ? RATE_LIMIT_PLANS[limit] : limit;
  const { drainPerSecond } = numbers;
  const legacy = !('threshold' in numbers);
  const threshold = legacy ? numbers.burst : numbers.threshold;
  checkNumber('rateLimit.drainPerSecond', drainPerSecond, 'positive number');
  checkNumber(legacy ? 'rateLimit.burst' : 'rateLimit.threshold', threshold, 'whole number ≥ 1');
  // Stop short of the threshold: network jitter bunches requests on arrival, and other apps on the
  // same IP share the portal's counter. A tiny bucket still lets one request through at once.
  return { drainPerSecond, capacity: Math.max(1, threshold - Math.max(2, Math.ceil(threshold / 10))) };
}

/** Creates a {@link RateLimiter} for `limit`; `now` is a millisecond clock. */
export function createRateLimiter(limit: Exclude<RateLimit, false>, now: () => number): LocalRateLimiter {
  const { drainPerSecond, capacity } = bucketFor(limit);
  let level = 0;
  let at = now();
  const drain = () => {
    const t = now();
    level = Math.max(0, level - ((t - at) * drainPerSecond) / 1000);
    at = t;
  };
  return {
    take() {
      drain();
      // Reserving before waiting keeps queued callers in order: each one's wait includes those ahead.
      return Math.max(0, ((++level - capacity) * 1000) / drainPerSecond);
    },
    give: () => void level--,
    fill() {
      drain();
      level = Math.max(level, capacity);
    },
  };
}
