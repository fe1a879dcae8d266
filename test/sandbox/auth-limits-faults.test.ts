// Credentials, the portal's limits and injected faults: all off by default, each one option away.
import { describe, expect, it, vi } from 'vitest';
import { createBitrix24Client } from '../../src/index.js';
import { createSandbox } from '../../src/sandbox/sandbox.js';
import { checkedFetch, sandboxWithClient } from '../support/checked-sandbox.js';

const PORTAL = 'https://sandbox.bitrix24.test';
const post = (fetch: typeof globalThis.fetch, path: string, body: unknown) =>
  fetch(`${PORTAL}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => ({
    status: r.status,
    body: await r.json(),
  }));

describe('credentials', () => {
  it('accepts any webhook code and any token by default, but the OAuth form needs a token', async () => {
    const fetch = checkedFetch(createSandbox());
    expect((await post(fetch, '/rest/7/whatever/crm.lead.contact.items.get', { id: 1 })).status).toBe(200);
    expect((await post(fetch, '/rest/crm.lead.contact.items.get', { id: 1, auth: 'any-token' })).status).toBe(200);
    expect(await post(fetch, '/rest/crm.lead.contact.items.get', { id: 1 })).toMatchObject({ status: 401, body: { error: 'NO_AUTH_FOUND' } });
  });

  it('with configured webhooks, an unknown code gets 401 NO_AUTH_FOUND and a webhook without crm scope 403 insufficient_scope', async () => {
    const fetch = checkedFetch(createSandbox({ auth: { webhooks: ['goodcode1', { code: 'userscope', scopes: ['user'] }] } }));
    expect((await post(fetch, '/rest/1/goodcode1/crm.lead.contact.items.get', { id: 1 })).status).toBe(200);
    expect(await post(fetch, '/rest/1/badcode99/crm.lead.contact.items.get', { id: 1 })).toMatchObject({ status: 401, body: { error: 'NO_AUTH_FOUND' } });
    expect(await post(fetch, '/rest/1/userscope/crm.lead.contact.items.get', { id: 1 })).toMatchObject({
      status: 403,
      body: { error: 'insufficient_scope' },
    });
  });

  it('a batch cannot run commands its credential has no scope for: each gets 403 insufficient_scope', async () => {
    const fetch = checkedFetch(createSandbox({ auth: { webhooks: [{ code: 'userscope', scopes: ['user'] }] } }));
    const answer = await post(fetch, '/rest/1/userscope/batch', { cmd: { links: 'crm.lead.contact.items.get?id=1' } });
    expect(answer.status).toBe(200);
    expect(answer.body.result.result_error.links).toMatchObject({ error: 'insufficient_scope' });
  });

  it('an expired token gets 401 expired_token, and the client refreshes once and repeats the call', async () => {
    const sandbox = createSandbox({ auth: { tokens: ['old-token-1'], expiredTokens: ['old-token-1'] } });
    const onTokenExpired = vi.fn(async () => {
      sandbox.allowToken('new-token-2');
      return { accessToken: 'new-token-2', refreshToken: 'refresh-3' };
    });
    const client = createBitrix24Client({
      portal: PORTAL,
      accessToken: 'old-token-1',
      refreshToken: 'refresh-1',
      onTokenExpired,
      fetch: checkedFetch(sandbox),
      rateLimit: false,
    });
    await expect(client.crm.lead.contact.items.get({ id: 2 })).resolves.toEqual([]);
    expect(onTokenExpired).toHaveBeenCalledTimes(1);
    expect(sandbox.calls.map((c) => [c.status, c.error?.error])).toEqual([
      [401, 'expired_token'],
      [200, undefined],
    ]);
    expect(JSON.stringify(sandbox.calls)).not.toContain('token-');
  });
});

describe("the portal's request bucket", () => {
  it('answers 503 QUERY_LIMIT_EXCEEDED past the threshold and drains at its rate; a batch counts once', async () => {
    let now = 1_000_000;
    const fetch = checkedFetch(createSandbox({ rateLimit: { drainPerSecond: 2, threshold: 3 }, now: () => now }));
    const statuses = async (n: number) => {
      const out = [];
      for (let i = 0; i < n; i++) out.push((await post(fetch, '/rest/1/code1234/crm.lead.contact.items.get', { id: 1 })).status);
      return out;
    };
    expect(await statuses(4)).toEqual([200, 200, 200, 503]);
    now += 1000;
    expect(await statuses(3)).toEqual([200, 200, 503]);
    now += 1000;
    const batch = await post(fetch, '/rest/1/code1234/batch', {
      cmd: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`c${i}`, 'crm.lead.contact.items.get?id=1'])),
    });
    expect(batch.status).toBe(200);
    expect(await statuses(2)).toEqual([200, 503]);
  });

  it("the client's limiter paces a burst of 60 calls under the standard plan's bucket: no 503", async () => {
    // Fake timers move Date.now and the client's sleeps together, so both sides see the same time.
    vi.useFakeTimers();
    try {
      const sandbox = createSandbox({ rateLimit: 'standard' });
      const client = createBitrix24Client({ webhookUrl: `${PORTAL}/rest/1/code1234/`, fetch: checkedFetch(sandbox) });
      const burst = Promise.all(Array.from({ length: 60 }, () => client.crm.lead.contact.items.get({ id: 1 })));
      await vi.runAllTimersAsync();
      await burst;
      expect(sandbox.calls.map((c) => c.status)).toEqual(Array(60).fill(200));
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('the per-method run-time budget', () => {
  it('refuses the call after the one that used the budget up with 429 OPERATION_TIME_LIMIT and its reset time, per method', async () => {
    let now = 1_700_000_000_000;
    const fetch = checkedFetch(createSandbox({ operatingLimit: { budgetSeconds: 2, costSeconds: 1 }, now: () => now }));
    const get = () => post(fetch, '/rest/1/code1234/crm.lead.contact.items.get', { id: 1 });
    const answers = [await get(), await get(), await get(), await get()];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429]);
    expect(answers[2]?.body.time).toMatchObject({ operating: 3, operating_reset_at: 1_700_000_600 });
    expect(answers[3]?.body).toMatchObject({ error: 'OPERATION_TIME_LIMIT', time: { operating_reset_at: 1_700_000_600 } });
    expect((await post(fetch, '/rest/1/code1234/crm.lead.contact.fields', {})).status).toBe(200);
    now += 10 * 60 * 1000;
    expect((await get()).status).toBe(200);
  });
});

describe('injected faults', () => {
  it('fails the next N calls of a method with a documented error, then answers normally; the client retries through them', async () => {
    const { sandbox } = sandboxWithClient();
    sandbox.fail('crm.lead.contact.add', 'internalServerError', { times: 2 });
    const client = createBitrix24Client({
      webhookUrl: `${PORTAL}/rest/1/code1234/`,
      fetch: checkedFetch(sandbox),
      rateLimit: false,
      retry: { attempts: 3 },
      sleep: async () => undefined,
    });
    await expect(client.crm.lead.contact.add({ id: 2, fields: { CONTACT_ID: 1020 } })).resolves.toBe(true);
    expect(sandbox.calls.map((c) => c.status)).toEqual([500, 500, 200]);
  });

  it('takes any status and body, and "*" for every method', async () => {
    const { client, sandbox } = sandboxWithClient();
    sandbox.fail('*', { status: 403, error: 'ACCESS_DENIED', error_description: 'REST is not available on this plan' });
    await expect(client.crm.lead.contact.fields()).rejects.toMatchObject({ status: 403, code: 'ACCESS_DENIED' });
    await expect(client.crm.lead.contact.fields()).resolves.toHaveProperty('SORT');
  });

  it('names the documented errors when asked for an unknown one, and refuses a non-error status', () => {
    const sandbox = createSandbox();
    expect(() => sandbox.fail('crm.lead.contact.add', 'noSuchExample')).toThrow(/Unknown documented error "noSuchExample"; known: .*leadNotFound/);
    expect(() => sandbox.fail('crm.lead.contact.add', { status: 200, error: 'X' })).toThrow(/400–599/);
    expect(() => sandbox.fail('crm.lead.contact.add', 'leadNotFound', { times: 0 })).toThrow(/times must be a positive integer/);
  });

  it('latency delays each answer by the configured time', async () => {
    vi.useFakeTimers();
    try {
      const sandbox = createSandbox({ latencyMs: 250 });
      let answered = false;
      const call = sandbox.handle({ method: 'POST', url: '/rest/1/code1234/crm.lead.contact.fields', body: '{}' }).then((a) => {
        answered = true;
        return a;
      });
      await vi.advanceTimersByTimeAsync(249);
      expect(answered).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect((await call).status).toBe(200);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('seed, reset and the journal', () => {
  it('reset() returns to the seed and clears the journal and pending faults', async () => {
    const { client, sandbox } = sandboxWithClient({ seed: { leads: [5], contacts: [6] } });
    await client.crm.lead.contact.add({ id: 5, fields: { CONTACT_ID: 6 } });
    sandbox.fail('crm.lead.contact.fields', 'internalServerError');
    sandbox.reset();
    expect(sandbox.calls).toEqual([]);
    expect(sandbox.lead(5)?.contacts).toEqual([]);
    await expect(client.crm.lead.contact.fields()).resolves.toBeDefined();
  });

  it('reset(seed) replaces the seed; rich seeds carry fields and links', async () => {
    const { client, sandbox } = sandboxWithClient();
    sandbox.reset({ leads: [{ id: 7, fields: { TITLE: 'Seeded' }, contacts: [70, { CONTACT_ID: 71, IS_PRIMARY: 'Y' }] }] });
    expect(await client.crm.lead.contact.items.get({ id: 7 })).toEqual([
      { CONTACT_ID: 70, SORT: 10, ROLE_ID: 0, IS_PRIMARY: 'N' },
      { CONTACT_ID: 71, SORT: 20, ROLE_ID: 0, IS_PRIMARY: 'Y' },
    ]);
    expect(sandbox.snapshot()).toMatchObject({ leads: [{ id: 7, fields: { TITLE: 'Seeded' } }], contacts: [{ id: 70 }, { id: 71 }] });
  });

  it('the journal holds method, params without auth, status and result or error of each call', async () => {
    const sandbox = createSandbox();
    const fetch = checkedFetch(sandbox);
    await post(fetch, '/rest/crm.lead.contact.add.json', { id: 2, fields: { CONTACT_ID: 1020 }, auth: 'secret-token-9' });
    await post(fetch, '/rest//crm.lead.contact.add', { id: 999, fields: { CONTACT_ID: 1020 }, auth: 'secret-token-9' });
    expect(sandbox.calls).toEqual([
      { method: 'crm.lead.contact.add', params: { id: 2, fields: { CONTACT_ID: 1020 } }, status: 200, result: true },
      {
        method: 'crm.lead.contact.add',
        params: { id: 999, fields: { CONTACT_ID: 1020 } },
        status: 400,
        error: { error: 'NOT_FOUND', error_description: 'Not found.' },
      },
    ]);
  });
});
