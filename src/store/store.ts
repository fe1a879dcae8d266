import type { Endpoint } from '../client/auth.js';
import type { Hooks, Logger } from '../client/hooks.js';
import type { RateLimit, RateLimiter } from '../client/rate-limiter.js';

/** The client options a store reads. */
export interface StoreClientOptions {
  rateLimit?: RateLimit;
  hooks?: Hooks;
  logger?: Logger;
  now?: () => number;
}

/** What a client hands its `store` once, when it is created. */
export interface StoreContext {
  /**
   * Where the client calls, the secrets it masks and what a refresh needs (refresh token and
   * callbacks); a store adopting new tokens updates the token and the secrets.
   */
  endpoint: Endpoint;
  /** The client's options a store reads: `rateLimit`, `hooks`, `logger`, `now`. */
  options: StoreClientOptions;
}

/** The parts of a client that a store takes over for it. */
export interface StoreConnection {
  /** Replaces the in-process rate limiter (absent with `rateLimit: false`). */
  limiter?: RateLimiter;
  /** Replaces the in-process refresh: resolves once the client holds a token newer than `usedToken`. */
  refresh?: (usedToken?: string) => Promise<void>;
}

/**
 * State shared by every client that calls one portal, in every process: the rate-limit bucket and
 * the OAuth tokens with their refresh lock. `createRedisStore` from `b24-lead-contact/redis` makes one;
 * without a store each client keeps this state in memory, as a single process needs.
 */
export interface Bitrix24Store {
  /** Called once by each client; returns its limiter and refresh, bound to the client's portal. */
  connect(context: StoreContext): StoreConnection;
}
