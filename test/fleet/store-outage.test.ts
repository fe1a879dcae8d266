// When Redis stops or stalls, a client with a Redis store keeps pacing itself locally (never unpaced,
// never hanging), says so once through hooks and logger, and fails a refresh without spending the
// refresh token. Counts and outcomes only, no timings.
import { afterEach, describe, expect, it } from 'vitest';
import { createBitrix24Client, type Bitrix24ClientOptions, type StoreErrorEvent } from '../../src/index.js';
import { createRedisStore } from '../../src/redis.js';
import { startBucketPortal, tally } from '../support/bucket-portal.js';
import { sendJson, startFaultServer } from '../support/fault-server.js';
import { connectRedis, hasRedisServer, KINDS, requireRedisServer, startRedisServer } from '../support/redis.js';

requireRedisServer('a Redis store that stops or stalls');

// The limiter's 4-slot margin (10% of 40) absorbs 200 ms of scheduling jitter on a loaded machine.
const bucket = { drainPerSecond: 20, burst: 40 };
const WEBHOOK_CODE = 'outagewebhookcode77';
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A client of a bucket-enforcing portal with a Redis store, recording store warnings and log lines. */
async function setup(kind: (typeof KINDS)[number], storeOptions: Parameters<typeof createRedisStore>[1]) {
  const redis = await startRedisServer();
  cleanup.push(() => redis.stop());
  const sandbox = await startBucketPortal(bucket);
  cleanup.push(() => sandbox.close());
  const portal = sandbox.portal(WEBHOOK_CODE);
  const connection = await connectRedis(kind, redis.url);
  cleanup.push(() => connection.close());
  const events: StoreErrorEvent[] = [];
  const warnings: string[] = [];
  const debugLines: string[] = [];
  let attempts = 0;
  const onAttempt: Array<() => unknown> = [];
  const client = createBitrix24Client({
    webhookUrl: portal.webhookUrl,
    allowInsecureHttp: true,
    rateLimit: bucket,
    retry: false, // a 503 would fail its call
    store: createRedisStore(connection.client, storeOptions),
    hooks: {
      onStoreError: (event) => void events.push(event),
      onAttempt: () => void onAttempt[attempts++]?.(),
    },
    logger: { debug: (message) => void debugLines.push(message), warn: (message) => void warnings.push(message) },
  });
  const add = (i: number) => client.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1000 + i } });
  return { redis, sandbox, portal, connection, client, add, events, warnings, debugLines, onAttempt };
}

describe.skipIf(!hasRedisServer)('a Redis store that stops or stalls', () => {
  it.each(KINDS)(
    'Redis stopped mid-run (%s): every call still answered, paced locally with no 503, one warning; paced through Redis again once it is back',
    async (kind) => {
      const t = await setup(kind, { timeoutMs: 500, retryAfterMs: 100 });
      t.onAttempt[9] = () => t.redis.stop(); // after the tenth answer
      // One after another, so most calls ask the store after it stopped (concurrent ones reserve up front).
      const outcomes = [];
      for (let i = 0; i < 30; i++) outcomes.push(await t.add(i));
      expect(outcomes).toEqual(Array(30).fill(true));
      expect(tally(t.portal)).toMatchObject({ requests: 30, rejected: 0 });
      expect(t.events).toHaveLength(1);
      expect(t.events[0]!.operation).toBe('rate-limit');
      expect(t.events[0]!.message).not.toContain(WEBHOOK_CODE);
      expect(t.warnings).toEqual(['bitrix24 store unavailable, pacing locally']);

      // The same port again: the client library reconnects, and the script is loaded anew.
      const again = await startRedisServer({ port: t.redis.port });
      cleanup.push(() => again.stop());
      for (let i = 0; !t.debugLines.includes('bitrix24 store reachable again, pacing through it'); i++) {
        expect(i).toBeLessThan(200);
        await t.add(i);
      }
      expect(await t.connection.keys('b24:*')).toEqual([`b24:{${new URL(t.sandbox.url).host}}:bucket`]);
      expect(tally(t.portal).rejected).toBe(0);
    },
  );

  it.each(KINDS)('Redis stalled (%s, CLIENT PAUSE): calls go on paced locally after the store timeout, one warning', async (kind) => {
    const t = await setup(kind, { timeoutMs: 300, retryAfterMs: 60_000 });
    const pauser = await connectRedis('ioredis', t.redis.url);
    cleanup.push(() => pauser.close());
    await pauser.client.call('CLIENT', ['PAUSE', '20000', 'ALL']);
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => t.add(i)));
    expect(outcomes).toEqual(Array(20).fill(true));
    expect(tally(t.portal)).toMatchObject({ requests: 20, rejected: 0 });
    expect(t.events).toEqual([{ operation: 'rate-limit', message: 'no answer from the store within 300 ms' }]);
  });

  it.each(KINDS)('refresh with Redis down (%s): TOKEN_REFRESH_FAILED without spending the refresh token, and a warning', async (kind) => {
    const redis = await startRedisServer();
    cleanup.push(() => redis.stop());
    const connection = await connectRedis(kind, redis.url);
    cleanup.push(() => connection.close());
    const server = await startFaultServer((_req, res) => sendJson(res, 401, { error: 'expired_token', error_description: 'expired' }));
    cleanup.push(() => server.close());
    const events: StoreErrorEvent[] = [];
    let exchanges = 0;
    const client = createBitrix24Client({
      portal: server.origin,
      accessToken: 'old-access-token-0001',
      refreshToken: 'old-refresh-token-0002',
      allowInsecureHttp: true,
      rateLimit: false,
      store: createRedisStore(connection.client, { timeoutMs: 300 }),
      hooks: { onStoreError: (event) => void events.push(event) },
      onTokenExpired: async () => {
        exchanges++;
        return { accessToken: 'new-access-token-0003', refreshToken: 'new-refresh-token-0004' };
      },
    } satisfies Bitrix24ClientOptions);
    await redis.stop();
    const error = await client.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 2 } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 401, code: 'TOKEN_REFRESH_FAILED' });
    expect(exchanges).toBe(0);
    expect(events.map((e) => e.operation)).toEqual(['token-refresh']);
    expect(JSON.stringify(events)).not.toMatch(/old-access|old-refresh/);
  });
});
