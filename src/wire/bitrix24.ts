// Bitrix24's platform numbers, each in one place, with the official page that states it. The client,
// the sandbox, the CLI and the docs read them from here; a number that changes changes once.

/** Sub-calls one `batch` request runs at most; Bitrix24 refuses the rest. https://apidocs.bitrix24.com/settings/how-to-call-rest-api/batch.html */
export const MAX_BATCH_COMMANDS = 50;

/** Rows a `*.list` method answers per page; `next` steps by it. https://apidocs.bitrix24.com/limits.html */
export const PAGE_SIZE = 50;

/**
 * A portal's request-rate bucket (a leaky bucket per portal and source IP): every request adds one,
 * the level drains by `drainPerSecond`, and a request that finds it above `threshold` gets 503
 * `QUERY_LIMIT_EXCEEDED`. The docs call the two numbers `Y` and `X`. https://apidocs.bitrix24.com/limits.html
 */
export interface BucketNumbers {
  /** Requests the bucket drains per second (`Y`). */
  drainPerSecond: number;
  /** The level past which requests are refused (`X`): how many may go at once on an empty bucket. */
  threshold: number;
}

/** The bucket of each plan: Enterprise, and every other plan. https://apidocs.bitrix24.com/limits.html */
export const RATE_LIMIT_PLANS = {
  standard: { drainPerSecond: 2, threshold: 50 },
  enterprise: { drainPerSecond: 5, threshold: 250 },
} as const satisfies Record<string, BucketNumbers>;

/** A plan preset's name. */
export type RatePlan = keyof typeof RATE_LIMIT_PLANS;

/** A cloud portal cuts off a request that runs longer than this. https://apidocs.bitrix24.com/limits.html */
export const REQUEST_TIME_LIMIT_MS = 60_000;

/**
 * The operating-time budget: a method's run time per app or webhook is summed over ten one-minute
 * baskets, each dropped ten minutes after its first call; past the budget the next call gets 429
 * `OPERATION_TIME_LIMIT` until `operating_reset_at`. https://apidocs.bitrix24.com/limits.html
 */
export const OPERATING_BASKET_MS = 60_000;
/** How long one basket of the operating-time budget counts (see {@link OPERATING_BASKET_MS}). */
// Ten baskets, written out: a product of constants would keep this module's unused exports in browser bundles.
export const OPERATING_WINDOW_MS = 600_000;

/** An OAuth refresh token stays usable this long after it was issued. https://apidocs.bitrix24.com/settings/oauth/index.html */
export const REFRESH_TOKEN_LIFETIME_MS = 15_552_000_000; // 180 days

/** An OAuth access token answers `expired_token` this long after it was issued (`expires_in: 3600`). https://apidocs.bitrix24.com/settings/oauth/index.html */
export const ACCESS_TOKEN_LIFETIME_SECONDS = 3600;

/** An OAuth authorization code must be exchanged within this. https://apidocs.bitrix24.com/settings/oauth/index.html */
export const AUTHORIZATION_CODE_LIFETIME_MS = 30_000;

/** Where Bitrix24 apps refresh their tokens: the authorization server. https://apidocs.bitrix24.com/settings/oauth/auto-renewal.html */
export const OAUTH_SERVER = 'https://oauth.bitrix.info';
