import type { OAuthTokens } from '../client/auth.js';
import type { StoreErrorEvent } from '../client/hooks.js';
import { bucketFor, createRateLimiter, type RateLimiter } from '../client/rate-limiter.js';
import { redact } from '../client/secrets.js';
import { setLongTimeout, sleep } from '../client/sleep.js';
import type { Bitrix24Store, StoreConnection, StoreContext } from './store.js';

/** The numbers a shared bucket is paced by (see `bucketFor`). */
export interface Bucket {
  drainPerSecond: number;
  capacity: number;
}

/**
 * The atomic operations a shared store needs from its server, keyed by the portal's host. Each may
 * reject or never settle: the caller bounds every one with a timeout.
 */
export interface StoreBackend {
  /** Adds one request to the bucket and returns how many milliseconds to wait before sending it. */
  take(portal: string, bucket: Bucket): Promise<number>;
  /** Removes a request that was taken but never sent. */
  give(portal: string, bucket: Bucket): Promise<void>;
  /** Raises the bucket to `capacity`, after the portal answered 503 `QUERY_LIMIT_EXCEEDED`. */
  fill(portal: string, bucket: Bucket): Promise<void>;
  /** The tokens the last refresh of the portal stored, if any. */
  readTokens(portal: string): Promise<OAuthTokens | undefined>;
  /** Takes the refresh lock for `owner` unless someone holds it; it expires after `ttlMs`. */
  lock(portal: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Stores new tokens and releases the lock if `owner` still holds it. */
  saveTokens(portal: string, owner: string, tokens: OAuthTokens): Promise<void>;
  /** Releases the lock if `owner` still holds it. */
  unlock(portal: string, owner: string): Promise<void>;
}

/** Timing of a shared store. */
export interface SharedStoreSettings {
  /** Longest wait for one store operation before the client paces locally or fails the refresh. */
  timeoutMs: number;
  /** The refresh lock expires this long after it was taken, so a crashed holder blocks nobody for longer. */
  lockTimeoutMs: number;
  /** After a store failure, requests are paced locally for this long before the store is asked again. */
  retryAfterMs: number;
}

const STORE_TIMEOUT = 'no answer from the store within';
const GAVE_UP = 'gave up waiting for another process to refresh the token';

/** Settles like `promise`, or rejects after `ms`; the late answer of a slow store is then ignored. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let cancel = () => {};
  const timeout = new Promise<never>((_, reject) => {
    cancel = setLongTimeout(ms, () => reject(new Error(`${STORE_TIMEOUT} ${ms} ms`)));
  });
  return Promise.race([promise, timeout]).finally(cancel);
}

/**
 * A {@link Bitrix24Store} on top of `backend`: the bucket and the refresh are shared through it, and
 * when it fails or is slow the client falls back to pacing itself (never to unpaced traffic) and
 * reports it through `hooks.onStoreError` and the logger.
 */
export function createSharedStore(backend: StoreBackend, settings: SharedStoreSettings): Bitrix24Store {
  return {
    connect({ endpoint, options }: StoreContext): StoreConnection {
      const portal = new URL(endpoint.baseUrl).host;
      const warn = (operation: StoreErrorEvent['operation'], error: unknown) => {
        const event: StoreErrorEvent = { operation, message: redact(String((error as Error)?.message ?? error), endpoint.secrets) };
        try {
          options.hooks?.onStoreError?.(event);
        } catch {
          // A broken hook must not break the fallback.
        }
        try {
          const { logger } = options;
          if (logger)
            (logger.warn ?? logger.debug).call(
              logger,
              `bitrix24 store unavailable, ${operation === 'rate-limit' ? 'pacing locally' : 'refresh failed'}`,
              event,
            );
        } catch {
          // Nor a broken logger.
        }
      };
      const limiter = options.rateLimit === false ? undefined : sharedLimiter(options.rateLimit ?? 'standard', options.now ?? Date.now);
      return { limiter, refresh: sharedRefresh() };

      function sharedLimiter(limit: Parameters<typeof bucketFor>[0], now: () => number): RateLimiter {
        const bucket = bucketFor(limit);
        // The fallback: the same bucket kept in this process, as without a store.
        const local = createRateLimiter(limit, now);
        let retryAt = 0;
        let down = false;
        const failed = (error: unknown) => {
          retryAt = Date.now() + settings.retryAfterMs;
          if (down) return;
          down = true;
          // The other processes were sending too: start full, at the drain rate, rather than with a burst.
          local.fill();
          warn('rate-limit', error);
        };
        return {
          async take() {
            if (Date.now() < retryAt) return local.take();
            try {
              const delayMs = await within(backend.take(portal, bucket), settings.timeoutMs);
              if (down) {
                down = false;
                options.logger?.debug('bitrix24 store reachable again, pacing through it', { operation: 'rate-limit' });
              }
              return delayMs;
            } catch (error) {
              failed(error);
              return local.take();
            }
          },
          give() {
            if (down) local.give();
            else within(backend.give(portal, bucket), settings.timeoutMs).catch(failed);
          },
          fill() {
            local.fill();
            if (!down) within(backend.fill(portal, bucket), settings.timeoutMs).catch(failed);
          },
        };
      }

      /**
       * One refresh for the whole fleet: the process holding the lock calls `onTokenExpired` and
       * stores the result; the others wait for the stored tokens and use them. Any store failure fails
       * the refresh before the refresh token is spent.
       */
      function sharedRefresh() {
        const { onTokenExpired, onTokensRefreshed } = endpoint;
        if (!onTokenExpired || !endpoint.accessToken) return;
        const exchange = onTokenExpired;
        let { refreshToken } = endpoint;
        if (refreshToken) endpoint.secrets.push(refreshToken);
        const owner = crypto.randomUUID();
        let pending: Promise<void> | undefined;
        const ask = <T>(operation: Promise<T>) =>
          within(operation, settings.timeoutMs).catch((error) => {
            warn('token-refresh', error);
            throw error;
          });
        // Tokens this client held before (all are in `secrets`) are not new, even if a stale store has them.
        const isNew = (stored: OAuthTokens | undefined): stored is OAuthTokens => !!stored?.accessToken && !endpoint.secrets.includes(stored.accessToken);
        const adopt = (tokens: OAuthTokens) => {
          // Mask the new tokens before anything can echo them.
          endpoint.secrets.push(tokens.accessToken, tokens.refreshToken ?? '');
          endpoint.accessToken = tokens.accessToken;
          refreshToken = tokens.refreshToken ?? refreshToken;
        };

        async function run(): Promise<void> {
          const giveUpAt = Date.now() + 2 * settings.lockTimeoutMs;
          for (let wait = 50; ; wait = Math.min(wait * 2, 500)) {
            const stored = await ask(backend.readTokens(portal));
            if (isNew(stored)) return adopt(stored);
            // The SET is sent now and may land after the store timeout: whatever happens from here on,
            // a lock it took under this owner is released, or the fleet waits lockTimeoutMs for it.
            const locking = backend.lock(portal, owner, settings.lockTimeoutMs);
            let held: boolean | undefined;
            let saved = false;
            try {
              held = await ask(locking);
              if (held) {
                // Another process may have finished its refresh between the read and the lock.
                const latest = await ask(backend.readTokens(portal));
                if (isNew(latest)) return adopt(latest);
                const tokens = await exchange({ refreshToken });
                if (!tokens?.accessToken) throw new TypeError('onTokenExpired returned no accessToken');
                adopt(tokens);
                const fresh = { accessToken: tokens.accessToken, refreshToken };
                // The tokens are valid even if the store cannot take them: this process goes on with them.
                saved = await ask(backend.saveTokens(portal, owner, fresh)).then(
                  () => true,
                  () => false,
                );
                await onTokensRefreshed?.(fresh);
                return;
              }
            } finally {
              const release = () => within(backend.unlock(portal, owner), settings.timeoutMs).catch(() => {});
              // Awaited (within the store timeout): a lock left behind would hold the fleet up until it expires.
              if (held && !saved) await release();
              // No answer in time: the late one decides. Not awaited, the caller has already been told.
              else if (held === undefined)
                locking.then(
                  (late) => void (late && release()),
                  () => {},
                );
            }
            // A crashed holder's lock expires after lockTimeoutMs; then one of the waiters takes it.
            if (Date.now() > giveUpAt) throw new Error(GAVE_UP);
            await sleep(wait);
          }
        }

        return (usedToken?: string): Promise<void> =>
          endpoint.accessToken !== usedToken
            ? Promise.resolve()
            : (pending ??= run().finally(() => {
                pending = undefined;
              }));
      }
    },
  };
}
