// Several processes calling one portal share its rate-limit bucket through Redis: together they stay
// inside the portal's bucket, where each pacing itself alone overflows it. Counts only, no timings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBitrix24Client } from '../../src/index.js';
import { createRedisStore } from '../../src/redis.js';
import { startBucketPortal, tally } from '../support/bucket-portal.js';
import { sendJson, startFaultServer } from '../support/fault-server.js';
import { runFleet } from '../support/fleet.js';
import { connectRedis, hasRedisServer, KINDS, requireRedisServer, startRedisServer } from '../support/redis.js';

requireRedisServer('a shared rate-limit bucket on Redis');

// The portal's bucket and the clients' limiter use the same numbers: 4 workers × 12 concurrent calls
// are 48 requests, more than the 40 the bucket takes at once. The limiter keeps 4 slots in reserve
// (10% of 40), at 5/s 800 ms: room for processes that start or run late on a loaded machine, whose
// requests bunch with those sent on time.
const bucket = { drainPerSecond: 5, burst: 40 };
const WORKERS = 4;
const CALLS = 12;
const WEBHOOK_CODE = 'fleetwebhookcode42';

describe.skipIf(!hasRedisServer)('a shared rate-limit bucket on Redis', () => {
  let redis: Awaited<ReturnType<typeof startRedisServer>>;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(() => redis?.stop());

  it.each(KINDS)('keeps %s-connected worker processes inside the portal bucket: every request answered, no 503', async (kind) => {
    const sandbox = await startBucketPortal(bucket);
    const portal = sandbox.portal(WEBHOOK_CODE);
    try {
      const reports = await runFleet(
        Array.from({ length: WORKERS }, () => ({
          kind,
          redisUrl: redis.url,
          connection: { webhookUrl: portal.webhookUrl },
          rateLimit: bucket,
          retry: false as const, // a 503 would fail its call
          calls: CALLS,
        })),
      );
      expect(reports.flatMap((r) => r.outcomes)).toEqual(Array(WORKERS * CALLS).fill('ok'));
      expect(tally(portal)).toMatchObject({ requests: WORKERS * CALLS, rejected: 0 });
      expect(reports.flatMap((r) => r.storeErrors)).toEqual([]);
    } finally {
      await sandbox.close();
    }
  });

  it('is needed: the same workers pacing themselves alone get 503 answers', async () => {
    const sandbox = await startBucketPortal(bucket);
    const portal = sandbox.portal(WEBHOOK_CODE);
    try {
      const reports = await runFleet(
        Array.from({ length: WORKERS }, () => ({
          kind: 'ioredis' as const,
          redisUrl: null,
          connection: { webhookUrl: portal.webhookUrl },
          rateLimit: bucket,
          retry: { attempts: 20, baseDelayMs: 100, maxDelayMs: 400 },
          calls: CALLS,
        })),
      );
      expect(reports.flatMap((r) => r.outcomes)).toEqual(Array(WORKERS * CALLS).fill('ok'));
      // Each process sends its own 12 at once: 48 against a bucket of 40.
      const { requests, rejected } = tally(portal);
      expect(rejected).toBeGreaterThan(0);
      expect(requests).toBe(WORKERS * CALLS + rejected);
    } finally {
      await sandbox.close();
    }
  });
});

describe.skipIf(!hasRedisServer)('Redis keys of the shared state', () => {
  let redis: Awaited<ReturnType<typeof startRedisServer>>;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(() => redis?.stop());

  it.each(KINDS)('keeps one bucket per portal host, with no secret in any key name and an expiry on each (%s)', async (kind) => {
    const [a, b] = await Promise.all([startBucketPortal(bucket), startBucketPortal(bucket)]);
    const connection = await connectRedis(kind, redis.url);
    try {
      const store = createRedisStore(connection.client, { prefix: `keys-${kind}:` });
      const waits: string[] = [];
      const client = (origin: string, name: string) =>
        createBitrix24Client({
          webhookUrl: `${origin}/rest/1/${WEBHOOK_CODE}/`,
          allowInsecureHttp: true,
          // A slow drain, so the level does not fall while the test runs; the waits are recorded, not slept.
          rateLimit: { drainPerSecond: 0.5, burst: 10 },
          sleep: async () => {},
          retry: false,
          store,
          hooks: { onWait: () => void waits.push(name) },
        });
      const add = (c: ReturnType<typeof client>) => c.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1000 } });
      const first = client(a.url, 'a');
      // Eight requests fill the limiter's share of portal a's bucket (10 minus the 2-request margin)…
      await Promise.all(Array.from({ length: 8 }, () => add(first)));
      // …which a second client of portal a sees, and a client of portal b does not.
      await add(client(b.url, 'b'));
      await add(client(a.url, 'a2'));
      expect(waits).toEqual(['a2']);

      const keys = (await connection.keys(`keys-${kind}:*`)).sort();
      const hostOf = (origin: string) => new URL(origin).host;
      expect(keys).toEqual([`keys-${kind}:{${hostOf(a.url)}}:bucket`, `keys-${kind}:{${hostOf(b.url)}}:bucket`].sort());
      for (const key of keys) {
        expect(key).not.toContain(WEBHOOK_CODE);
        expect(await connection.pttl(key)).toBeGreaterThan(0);
      }
    } finally {
      connection.close();
      await Promise.all([a.close(), b.close()]);
    }
  });

  it.each(KINDS)("keeps one token pair per account, so two OAuth identities on one portal never take each other's tokens (%s)", async (kind) => {
    const valid = ['a-access-token-new', 'b-access-token-new'];
    const portal = await startFaultServer((_req, res, seen) =>
      valid.includes(JSON.parse(seen.body).auth)
        ? sendJson(res, 200, { result: true })
        : sendJson(res, 401, { error: 'expired_token', error_description: 'expired' }),
    );
    const connection = await connectRedis(kind, redis.url);
    try {
      const exchanges: string[] = [];
      const client = (name: 'a' | 'b') =>
        createBitrix24Client({
          portal: portal.origin,
          accessToken: `${name}-access-token-old`,
          refreshToken: `${name}-refresh-token-old`,
          allowInsecureHttp: true,
          rateLimit: false,
          store: createRedisStore(connection.client, { prefix: `accounts-${kind}:`, account: `app-${name}` }),
          onTokenExpired: async () => {
            exchanges.push(name);
            return { accessToken: `${name}-access-token-new`, refreshToken: `${name}-refresh-token-new` };
          },
        });
      await client('a').crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 2 } });
      await client('b').crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 2 } });
      expect(exchanges).toEqual(['a', 'b']);
      const host = new URL(portal.origin).host;
      expect((await connection.keys(`accounts-${kind}:*`)).sort()).toEqual([
        `accounts-${kind}:{${host}}:tokens:app-a`,
        `accounts-${kind}:{${host}}:tokens:app-b`,
      ]);
      expect(await connection.hgetall(`accounts-${kind}:{${host}}:tokens:app-b`)).toEqual({ access: 'b-access-token-new', refresh: 'b-refresh-token-new' });
    } finally {
      connection.close();
      await portal.close();
    }
  });
});
