import { checkNumber } from './check-option.js';

/**
 * Bitrix24's documented leaky bucket per plan (limits.md): the counter drains by `drainPerSecond`
 * and a request that finds it above `burst` gets 503 `QUERY_LIMIT_EXCEEDED`.
 */
export const RATE_LIMIT_PLANS = {
  standard: { drainPerSecond: 2, burst: 50 },
  enterprise: { drainPerSecond: 5, burst: 250 },
} as const;

/** The `rateLimit` option: off, a plan preset, or custom bucket numbers. */
export type RateLimit = false | keyof typeof RATE_LIMIT_PLANS | { drainPerSecond: number; burst: number };

/** A client-side copy of the portal's bucket, shared by every request of one client. */
export interface RateLimiter {
  /** Reserves a slot for one request and returns how many milliseconds to wait before sending it. */
  take(): number;
  /** Gives back a slot reserved by {@link RateLimiter.take} whose request was never sent. */
  give(): void;
  /** Marks the bucket full, after the portal answered 503 `QUERY_LIMIT_EXCEEDED`. */
  fill(): void;
}

/** Creates a {@link RateLimiter} for `limit`; `now` is a millisecond clock. */
export function createRateLimiter(limit: Exclude<RateLimit, false>, now: () => number): RateLimiter {
  if (typeof limit === 'string' && !(limit in RATE_LIMIT_PLANS)) {
    throw new TypeError(`rateLimit must be false, 'standard', 'enterprise' or { drainPerSecond, burst }, got '${limit}'`);
  }
  const { drainPerSecond, burst } = typeof limit === 'string' ? RATE_LIMIT_PLANS[limit] : limit;
  checkNumber('rateLimit.drainPerSecond', drainPerSecond, 'positive');
  checkNumber('rateLimit.burst', burst, 'integer ≥ 1');
  // Stop short of the threshold: network jitter bunches requests on arrival, and other apps on the
  // same IP share the portal's counter. A tiny bucket still lets one request through at once.
  const capacity = Math.max(1, burst - Math.max(2, Math.ceil(burst / 10)));
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
