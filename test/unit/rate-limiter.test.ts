import { afterEach, describe, expect, it } from 'vitest';
import { rawClient, createBitrix24Client } from '../../src/index.js';
import { createRateLimiter, RATE_LIMIT_PLANS } from '../../src/client/rate-limiter.js';
import { ok, sendJson, startFaultServer } from '../support/fault-server.js';

let close: (() => Promise<void>) | undefined;
afterEach(() => close?.());

/** Bitrix24's bucket as https://apidocs.bitrix24.com/limits.html describes it: +1 per request, drains `drain`/s, refuses above `threshold`. */
function portalBucket(drain: number, threshold: number, now: () => number) {
  let level = 0;
  let at = now();
  return () => {
    const t = now();
    level = Math.max(0, level - ((t - at) / 1000) * drain);
    at = t;
    if (level >= threshold) return false;
    level += 1;
    return true;
  };
}

describe('createRateLimiter', () => {
  it.each(Object.keys(RATE_LIMIT_PLANS) as (keyof typeof RATE_LIMIT_PLANS)[])(
    'schedules a burst of 1000 requests so that the %s plan bucket never overflows',
    (plan) => {
      const { drainPerSecond, threshold } = RATE_LIMIT_PLANS[plan];
      const limiter = createRateLimiter(plan, () => 0);
      const sendTimes = Array.from({ length: 1000 }, () => limiter.take()).sort((a, b) => a - b);
      let clock = 0;
      const accept = portalBucket(drainPerSecond, threshold, () => clock);
      const refused = sendTimes.filter((t) => ((clock = t), !accept())).length;
      expect(refused).toBe(0);
      // Conservative but not idle: the first requests go at once, the rest at the drain rate.
      const immediate = sendTimes.filter((t) => t === 0).length;
      expect(immediate).toBe(threshold - Math.max(2, Math.ceil(threshold / 10)));
      expect(sendTimes.at(-1)! / 1000).toBeCloseTo((1000 - immediate) / drainPerSecond, 0);
    },
  );

  it('gives back a slot whose request was never sent', () => {
    const limiter = createRateLimiter({ drainPerSecond: 1, threshold: 4 }, () => 0);
    expect([limiter.take(), limiter.take(), limiter.take()]).toEqual([0, 0, 1000]);
    limiter.give();
    expect(limiter.take()).toBe(1000);
  });

  it('reads the deprecated burst as the threshold', () => {
    const times = (limit: Parameters<typeof createRateLimiter>[0]) => {
      const limiter = createRateLimiter(limit, () => 0);
      return Array.from({ length: 5 }, () => limiter.take());
    };
    expect(times({ drainPerSecond: 1, burst: 4 })).toEqual(times({ drainPerSecond: 1, threshold: 4 }));
  });

  it('counts the bucket as full after the portal answered 503', () => {
    const limiter = createRateLimiter('standard', () => 0);
    limiter.fill();
    expect(limiter.take()).toBe(500);
  });
});

describe('the client rate limiter against a portal that enforces the same bucket', () => {
  // Small numbers keep the test fast; the 4-slot margin (10% of 40) absorbs 200 ms of scheduling jitter.
  const bucket = { drainPerSecond: 20, threshold: 40 };

  async function portal(now: () => number = () => performance.now()) {
    const accept = portalBucket(bucket.drainPerSecond, bucket.threshold, now);
    let refused = 0;
    const server = await startFaultServer((_req, res) => {
      if (accept()) return sendJson(res, 200, ok());
      refused++;
      sendJson(res, 503, { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' });
    });
    close = server.close;
    return { ...server, refused: () => refused };
  }

  it('sends a burst of 60 concurrent calls that the portal bucket accepts, each at the moment it leaves the client', async () => {
    // The bucket is judged at the moment each request is handed to fetch, not when it reaches the
    // server: on a busy machine requests sent apart can arrive together, which says nothing of the limiter.
    const sentAt: number[] = [];
    const server = await startFaultServer((_req, res) => sendJson(res, 200, ok()));
    close = server.close;
    const client = createBitrix24Client({
      webhookUrl: `${server.origin}/rest/1/burstwebhookcode/`,
      allowInsecureHttp: true,
      rateLimit: bucket,
      retry: false,
      fetch: (input, init) => {
        sentAt.push(Date.now());
        return fetch(input, init);
      },
    });
    const results = await Promise.all(Array.from({ length: 60 }, () => client.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 2 } })));
    expect(results).toEqual(Array(60).fill(true));
    let clock = 0;
    const accept = portalBucket(bucket.drainPerSecond, bucket.threshold, () => clock);
    const times = [...sentAt].sort((a, b) => a - b);
    clock = times[0]!;
    const refused = times.filter((t) => ((clock = t), !accept())).length;
    expect(refused).toBe(0);
    expect(server.seen).toHaveLength(60);
  });

  it('shares one bucket between method calls and raw openapi-fetch calls', async () => {
    const server = await portal();
    const waits: string[] = [];
    const client = createBitrix24Client({
      webhookUrl: `${server.origin}/rest/1/burstwebhookcode/`,
      allowInsecureHttp: true,
      rateLimit: { drainPerSecond: 1, threshold: 4 },
      // A frozen clock and an instant sleep: the bucket never drains, so every request past it must wait.
      now: () => 0,
      sleep: async () => {},
      hooks: { onWait: (e) => void waits.push(e.reason) },
    });
    const body = { id: 1, fields: { CONTACT_ID: 2 } };
    await client.crm.lead.contact.add(body);
    await client.crm.lead.contact.add(body);
    expect(waits).toEqual([]);
    await rawClient(client).POST('/crm.lead.contact.add', { body });
    expect(waits).toEqual(['rate-limit']);
    await client.crm.lead.contact.add(body);
    expect(waits).toEqual(['rate-limit', 'rate-limit']);
  });

  it('proves the portal enforces the bucket: without the limiter the same burst gets 503s', async () => {
    // The portal's clock stands still, so its bucket cannot drain however slowly the burst arrives.
    const server = await portal(() => 0);
    const client = createBitrix24Client({
      webhookUrl: `${server.origin}/rest/1/burstwebhookcode/`,
      allowInsecureHttp: true,
      rateLimit: false,
      retry: false,
    });
    await Promise.allSettled(Array.from({ length: 60 }, () => client.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 2 } })));
    expect(server.refused()).toBeGreaterThan(0);
  });
});
