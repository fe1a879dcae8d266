import { type BucketNumbers, OPERATING_BASKET_MS, OPERATING_WINDOW_MS, RATE_LIMIT_PLANS, type RatePlan } from '../wire/bitrix24.js';
import { WireError } from '../wire/wire-error.js';
import { documentedError } from './contract-data.js';

/** The portal's request-rate bucket: a plan preset or custom numbers (https://apidocs.bitrix24.com/limits.html). */
export type BucketPlan = RatePlan | BucketNumbers;

/**
 * The leaky bucket Bitrix24 keeps per portal: every request adds one, the level drains at a fixed
 * rate, and a request that finds the level at the threshold gets 503 `QUERY_LIMIT_EXCEEDED`
 * (and is not counted). A batch is one request.
 */
export class RequestBucket {
  private level = 0;
  private updatedAt: number;
  readonly drainPerSecond: number;
  readonly threshold: number;
  /** Requests refused so far. */
  refused = 0;

  constructor(
    plan: BucketPlan,
    private readonly now: () => number,
  ) {
    ({ drainPerSecond: this.drainPerSecond, threshold: this.threshold } = typeof plan === 'string' ? RATE_LIMIT_PLANS[plan] : plan);
    this.updatedAt = now();
  }

  /** The current level, drained up to now. */
  current(): number {
    const now = this.now();
    this.level = Math.max(0, this.level - ((now - this.updatedAt) / 1000) * this.drainPerSecond);
    this.updatedAt = now;
    return this.level;
  }

  take(): void {
    if (this.current() + 1 > this.threshold) {
      this.refused++;
      throw documentedError('queryLimitExceeded');
    }
    this.level += 1;
  }
}

/** Per-method run-time budget: what each call costs and how much ten minutes may hold. */
export interface OperatingLimit {
  /** Seconds of run time a method may use per ten minutes; past it the next call gets 429. */
  budgetSeconds: number;
  /** Seconds each call counts for (the sandbox runs in microseconds; choose a cost to reach the budget). Default 1. */
  costSeconds?: number;
}

/**
 * The `operating` counter of one method for one app or webhook: ten one-minute baskets, each
 * expiring ten minutes after its first call. A call is refused (429 `OPERATION_TIME_LIMIT`) when the
 * sum is already over the budget, so the call that crosses it still runs (the worked example on https://apidocs.bitrix24.com/limits.html).
 */
export class OperatingBudget {
  private readonly baskets = new Map<number, { first: number; total: number }>();

  constructor(
    private readonly limit: OperatingLimit,
    private readonly now: () => number,
  ) {}

  private live() {
    const now = this.now();
    for (const [key, basket] of this.baskets) if (now >= basket.first + OPERATING_WINDOW_MS) this.baskets.delete(key);
    let operating = 0;
    let oldest = Number.POSITIVE_INFINITY;
    for (const basket of this.baskets.values()) {
      operating += basket.total;
      oldest = Math.min(oldest, basket.first);
    }
    const resetAt = Math.ceil((Number.isFinite(oldest) ? oldest + OPERATING_WINDOW_MS : now) / 1000);
    return { operating, resetAt };
  }

  /** Throws the documented 429 (with `time.operating_reset_at`) when the budget is used up. */
  check(): void {
    const { operating, resetAt } = this.live();
    if (operating > this.limit.budgetSeconds) {
      const { status, code, message } = documentedError('operationTimeLimit');
      throw new WireError(status, code, message, { time: { operating, operating_reset_at: resetAt } });
    }
  }

  /** Records one call and returns the counters its answer shows. */
  spend(): { operating: number; resetAt: number } {
    const now = this.now();
    const key = Math.floor(now / OPERATING_BASKET_MS);
    const basket = this.baskets.get(key) ?? { first: now, total: 0 };
    basket.total += this.limit.costSeconds ?? 1;
    this.baskets.set(key, basket);
    return this.live();
  }
}

/** The most bytes of JSON one page of an admin read (`GET /__sandbox/calls`, `/state`) holds (one item at least). */
export const ADMIN_PAGE_BYTES = 8 * 1024 * 1024;

/** The cap on what one answer may be, measured before it is built, on every front (HTTP, `fetch`, MSW). */
export interface AnswerLimits {
  /**
   * Most bytes of JSON one answer may hold. An answer that would be larger is never built: a batch
   * stops at the command whose result crosses it (400 `ERROR_BATCH_LENGTH_EXCEEDED`), any other
   * method answers 400 naming the cap.
   */
  maxAnswerBytes: number;
  /**
   * Over HTTP: most bytes of answers written but not yet read by their callers, over the whole
   * server; an answer that would pass it gets 503 `QUERY_LIMIT_EXCEEDED` (retryable), so callers
   * that do not read cannot pile answers up in memory (each is also dropped after `timeouts.drainMs`).
   */
  maxPendingAnswerBytes: number;
}

export const DEFAULT_ANSWER_LIMITS: Readonly<AnswerLimits> = Object.freeze({
  maxAnswerBytes: 32 * 1024 * 1024,
  maxPendingAnswerBytes: 128 * 1024 * 1024,
});

/** The 400 for an answer past `maxAnswerBytes` of a method other than `batch`. */
export const answerTooLarge = (method: string, max: number) =>
  new WireError(
    400,
    '',
    `The answer of ${method.slice(0, 60)} would be larger than ${max} bytes of JSON (limits.maxAnswerBytes); ask for fewer records or fields.`,
  );
