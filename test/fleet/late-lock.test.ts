// The refresh lock when Redis takes writes late: a SET NX that lands after the store timeout has
// already failed the refresh is released under its own owner, instead of holding every process of the
// fleet up for lockTimeoutMs. The lock key is watched through Redis keyspace events, not a clock.
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createBitrix24Client } from '../../src/index.js';
import { createRedisStore } from '../../src/redis.js';
import { sendJson, startFaultServer } from '../support/fault-server.js';
import { connectRedis, hasRedisServer, KINDS, requireRedisServer, startRedisServer } from '../support/redis.js';

requireRedisServer('the refresh lock when Redis takes writes late');

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** Every keyspace event of `key` (set, expire, del, expired…) in order, and a wait for the next of some kinds. */
async function watchKey(url: string, key: string) {
  const admin = await connectRedis('ioredis', url);
  cleanup.push(() => admin.close());
  await admin.client.call('CONFIG', ['SET', 'notify-keyspace-events', 'K$gx']);
  const watcher = new Redis(url);
  cleanup.push(() => watcher.disconnect());
  const events: string[] = [];
  const waiting: Array<() => void> = [];
  watcher.on('message', (_channel: string, event: string) => {
    events.push(event);
    for (const wake of waiting.splice(0)) wake();
  });
  await watcher.subscribe(`__keyspace@0__:${key}`);
  /** Resolves with the first event of `kinds` after the `seen`-th event. */
  const next = async (kinds: string[], seen: number): Promise<string> => {
    for (;;) {
      const found = events.slice(seen).find((event) => kinds.includes(event));
      if (found) return found;
      await new Promise<void>((wake) => waiting.push(wake));
    }
  };
  return { events, next };
}

describe.skipIf(!hasRedisServer)('the refresh lock when Redis takes writes late', () => {
  it.each(KINDS)(
    'a lock SET answered after the store timeout (%s, CLIENT PAUSE WRITE) is released by its owner, and the next call takes the lock at once',
    async (kind) => {
      const redis = await startRedisServer();
      cleanup.push(() => redis.stop());
      const connection = await connectRedis(kind, redis.url);
      cleanup.push(() => connection.close());
      let valid = 'none yet';
      const portal = await startFaultServer((_req, res, seen) =>
        JSON.parse(seen.body).auth === valid
          ? sendJson(res, 200, { result: true, time: { start: 1, finish: 1 } })
          : sendJson(res, 401, { error: 'expired_token', error_description: 'The access token provided has expired.' }),
      );
      cleanup.push(() => portal.close());
      const lockKey = `b24:{${new URL(portal.origin).host}}:refresh-lock`;
      const lock = await watchKey(redis.url, lockKey);
      let exchanges = 0;
      const client = createBitrix24Client({
        portal: portal.origin,
        accessToken: 'late-lock-access-0',
        refreshToken: 'late-lock-refresh-0',
        allowInsecureHttp: true,
        rateLimit: false,
        // Without the release, the lock would expire ('expired' instead of 'del') after these 10 s.
        store: createRedisStore(connection.client, { timeoutMs: 300, lockTimeoutMs: 10_000 }),
        onTokenExpired: async () => {
          exchanges++;
          valid = `late-lock-access-${exchanges}`;
          return { accessToken: valid, refreshToken: `late-lock-refresh-${exchanges}` };
        },
      });
      const call = () => client.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 2 } });

      // Writes wait until the call has failed: reads (the stored tokens) still answer, the SET NX does not.
      const pauser = await connectRedis('ioredis', redis.url);
      cleanup.push(() => pauser.close());
      await pauser.client.call('CLIENT', ['PAUSE', '600000', 'WRITE']);
      await expect(call()).rejects.toMatchObject({ status: 401, code: 'TOKEN_REFRESH_FAILED' });
      expect(exchanges).toBe(0);
      expect(lock.events).toEqual([]);
      await pauser.client.call('CLIENT', ['UNPAUSE']);

      // The late SET took the lock; the client releases it (del), it is not left to expire.
      expect(await lock.next(['set'], 0)).toBe('set');
      expect(await lock.next(['del', 'expired'], lock.events.indexOf('set') + 1)).toBe('del');
      expect(await connection.keys(lockKey)).toEqual([]);

      // The next call finds the lock free: one exchange, under a lock taken and released again.
      const before = lock.events.length;
      await expect(call()).resolves.toBe(true);
      expect(exchanges).toBe(1);
      expect(await lock.next(['del', 'expired'], before)).toBe('del');
      expect(lock.events.filter((event) => event !== 'expire')).toEqual(['set', 'del', 'set', 'del']);
    },
  );
});
