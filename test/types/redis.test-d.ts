import { Cluster, Redis } from 'ioredis';
import { createClient } from 'redis';
import { describe, expectTypeOf, it } from 'vitest';
import { createBitrix24Client, type Bitrix24Store } from '../../src/index.js';
import { createRedisStore } from '../../src/redis.js';

describe('createRedisStore', () => {
  it('accepts an ioredis client or cluster and a node-redis client, and returns a store for the store option', () => {
    expectTypeOf(createRedisStore(new Redis())).toEqualTypeOf<Bitrix24Store>();
    expectTypeOf(createRedisStore(new Cluster([]), { prefix: 'app:' })).toEqualTypeOf<Bitrix24Store>();
    expectTypeOf(createRedisStore(createClient(), { timeoutMs: 500, lockTimeoutMs: 10_000, retryAfterMs: 1000 })).toEqualTypeOf<Bitrix24Store>();
    createBitrix24Client({ webhookUrl: 'https://example.bitrix24.com/rest/1/code/', store: createRedisStore(new Redis()) });
  });

  it('refuses anything that is not a Redis client, and unknown options', () => {
    // @ts-expect-error: not a Redis client
    createRedisStore({ get: async () => null });
    // @ts-expect-error: a URL is not a client; the caller creates and connects it
    createRedisStore('redis://127.0.0.1:6379');
    // @ts-expect-error: no such option
    createRedisStore(new Redis(), { keyPrefix: 'b24:' });
  });
});
