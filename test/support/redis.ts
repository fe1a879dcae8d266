// A real redis-server for the fleet tests (test/support/redis-server.mjs starts it on a free loopback port,
// without persistence) and connected clients of both libraries. Without redis-server a suite is
// skipped with a notice, except under CI=true, where a missing server fails.
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { describe, it } from 'vitest';
import { hasRedisServer, REDIS_SERVER } from './redis-server.mjs';

export { hasRedisServer, startRedisServer } from './redis-server.mjs';

/** The client libraries `createRedisStore` accepts. */
export const KINDS = ['ioredis', 'redis'] as const;
export type Kind = (typeof KINDS)[number];

/** Prints the skip notice, or under CI=true declares a failing test, when redis-server is missing. */
export function requireRedisServer(suite: string): void {
  if (hasRedisServer) return;
  const underCi = process.env.CI === 'true';
  console.warn(
    `\n[${suite}] ${REDIS_SERVER} not found: ${underCi ? 'FAILING (CI=true)' : 'SKIPPED'}. Install Debian's redis-server (apt-get install redis-server) or set REDIS_SERVER_PATH.\n`,
  );
  // Declared only when it must fail, so a normal run does not count it as skipped.
  if (underCi) {
    describe(suite, () => {
      it('has redis-server to run against (CI=true)', () => {
        throw new Error(`redis-server not found at ${REDIS_SERVER}; .ci/run installs it with apt-get, or set REDIS_SERVER_PATH.`);
      });
    });
  }
}

/** A connected client of `kind`, plus the few commands the tests read keys with. */
export async function connectRedis(kind: Kind, url: string) {
  if (kind === 'ioredis') {
    // A stopped server fails each command after one reconnect attempt; a restarted one is found again.
    const redis = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => 100 });
    redis.on('error', () => {}); // the outage tests stop the server on purpose
    return {
      client: redis,
      keys: (pattern: string) => redis.keys(pattern),
      pttl: (key: string) => redis.pttl(key),
      hgetall: (key: string) => redis.hgetall(key),
      close: () => void redis.disconnect(),
    };
  }
  // Commands wait in node-redis's offline queue while the server is away (the store's timeout ends the wait).
  const redis = createClient({ url, socket: { reconnectStrategy: () => 100 } });
  redis.on('error', () => {}); // node-redis throws an unhandled 'error' event otherwise
  await redis.connect();
  return {
    client: redis,
    keys: (pattern: string) => redis.keys(pattern),
    pttl: (key: string) => redis.pTTL(key),
    hgetall: async (key: string) => ({ ...(await redis.hGetAll(key)) }),
    close: () => void redis.destroy(),
  };
}
