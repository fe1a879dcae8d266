import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBitrix24Client, isBitrix24Error, type Bitrix24ClientOptions, type Bitrix24Error } from '../../src/index.js';
import type { AttemptEvent, RetryEvent, WaitEvent } from '../../src/index.js';
import { hang } from '../support/hung-fetch.js';
import { fakeClock, ok, sendJson, startFaultServer, time, type Script } from '../support/fault-server.js';

const CODE = 'faultwebhookcode77';
const params = { id: 1, fields: { CONTACT_ID: 1010 } };
let close: (() => Promise<void>) | undefined;
afterEach(() => {
  vi.useRealTimers(); // after a test that faked them, even one that failed midway
  return close?.();
});

/** Starts `script` on a loopback server and returns a webhook client aimed at it, with a fake clock. */
async function setup(script: Script, options: Partial<Bitrix24ClientOptions> = {}) {
  const server = await startFaultServer(script);
  close = server.close;
  const clock = fakeClock();
  const events = { attempts: [] as AttemptEvent[], retries: [] as RetryEvent[], waits: [] as WaitEvent[] };
  const client = createBitrix24Client({
    webhookUrl: `${server.origin}/rest/1/${CODE}/`,
    allowInsecureHttp: true,
    now: clock.now,
    sleep: clock.sleep,
    hooks: {
      onAttempt: (e) => events.attempts.push(e),
      onRetry: (e) => events.retries.push(e),
      onWait: (e) => events.waits.push(e),
    },
    ...options,
  } as Bitrix24ClientOptions);
  const add = () => client.crm.lead.contact.add(params);
  const failure = () =>
    add().then(
      () => expect.unreachable('the call should fail'),
      (error: unknown) => error as Bitrix24Error,
    );
  return { ...server, client, clock, events, add, failure };
}

describe('retries', () => {
  it('repeats a 503 QUERY_LIMIT_EXCEEDED after a jittered backoff and returns the result', async () => {
    const t = await setup((_req, res, _seen, i) =>
      i === 0 ? sendJson(res, 503, { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' }) : sendJson(res, 200, ok()),
    );
    await expect(t.add()).resolves.toBe(true);
    expect(t.seen).toHaveLength(2);
    expect(t.seen[1]!.body).toBe(t.seen[0]!.body);
    expect(t.events.retries).toEqual([{ method: 'crm.lead.contact.add', attempt: 1, status: 503, code: 'QUERY_LIMIT_EXCEEDED', delayMs: expect.any(Number) }]);
    expect(t.clock.waits[0]).toBeGreaterThanOrEqual(500);
    expect(t.clock.waits[0]).toBeLessThanOrEqual(1000);
    expect(t.events.attempts.map((a) => a.status)).toEqual([503, 200]);
  });

  it('gives up after the configured number of attempts with growing, capped delays', async () => {
    const t = await setup((_req, res) => sendJson(res, 503, { error: 'QUERY_LIMIT_EXCEEDED', error_description: '' }), {
      retry: { attempts: 6, baseDelayMs: 100, maxDelayMs: 400 },
    });
    const error = await t.failure();
    expect(error).toMatchObject({ status: 503, code: 'QUERY_LIMIT_EXCEEDED', retryable: true });
    expect(t.seen).toHaveLength(6);
    const ceilings = [100, 200, 400, 400, 400];
    expect(t.events.retries).toHaveLength(5);
    t.events.retries.forEach(({ delayMs }, i) => {
      expect(delayMs).toBeGreaterThanOrEqual(ceilings[i]! / 2);
      expect(delayMs).toBeLessThanOrEqual(ceilings[i]!);
    });
    // After a 503 the client's bucket counts as full, so each repeat also waits for what is left of one drain step (500 ms).
    const bucketWaits = t.events.waits.filter((w) => w.reason === 'rate-limit').map((w) => w.delayMs);
    expect(bucketWaits).toHaveLength(5);
    for (const ms of bucketWaits) expect(ms).toBeLessThanOrEqual(500);
  });

  it.each([
    ['500 INTERNAL_SERVER_ERROR', (res: Parameters<Script>[1]) => sendJson(res, 500, { error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal' })],
    ['a 502 HTML page from a proxy', (res: Parameters<Script>[1]) => res.writeHead(502, { 'Content-Type': 'text/html' }).end('<html>Bad Gateway</html>')],
    ['a connection reset', (res: Parameters<Script>[1]) => res.socket!.destroy()],
  ])('repeats after %s', async (_case, fault) => {
    const t = await setup((_req, res, _seen, i) => (i === 0 ? fault(res) : sendJson(res, 200, ok())));
    await expect(t.add()).resolves.toBe(true);
    expect(t.seen).toHaveLength(2);
    expect(t.events.retries).toHaveLength(1);
  });

  it('reports a connection reset as NETWORK_ERROR when retries are off', async () => {
    const t = await setup((_req, res) => res.socket!.destroy(), { retry: false });
    const error = await t.failure();
    expect(error).toMatchObject({ status: 0, code: 'NETWORK_ERROR', retryable: true });
    // The cause's text (e.g. "other side closed"), not undici's bare "fetch failed".
    expect(error.description).not.toBe('fetch failed');
    expect(t.seen).toHaveLength(1);
  });

  it.each([
    [400, 'NOT_FOUND'],
    [400, ''],
    [401, 'NO_AUTH_FOUND'],
    [403, 'ACCESS_DENIED'],
    [403, 'insufficient_scope'],
    [404, 'ERROR_MANIFEST_IS_NOT_AVAILABLE'],
    [503, 'OVERLOAD_LIMIT'],
    [401, 'expired_token'],
  ])('never repeats %i %s', async (status, code) => {
    const t = await setup((_req, res) => sendJson(res, status, { error: code, error_description: 'No.' }));
    expect(await t.failure()).toMatchObject({ status, code });
    expect(t.seen).toHaveLength(1);
    expect(t.events.retries).toHaveLength(0);
  });

  it.each([
    ['an HTML page with status 200', 200, 'text/html', '<html>Portal maintenance</html>'],
    ['an empty body', 200, 'application/json', ''],
    ['JSON that is not an envelope', 200, 'application/json', '{"ok":true}'],
  ])('reports %s as INVALID_RESPONSE and sends the call once', async (_case, status, type, body) => {
    const t = await setup((_req, res) => res.writeHead(status, { 'Content-Type': type }).end(body));
    expect(await t.failure()).toMatchObject({ status, code: 'INVALID_RESPONSE', retryable: false });
    expect(t.seen).toHaveLength(1);
  });

  it('sends a call once when the caller passes retry: false', async () => {
    const t = await setup((_req, res) => sendJson(res, 500, { error: 'INTERNAL_SERVER_ERROR', error_description: '' }));
    await expect(t.client.call('crm.lead.contact.add', params, { retry: false })).rejects.toMatchObject({ code: 'INTERNAL_SERVER_ERROR' });
    expect(t.seen).toHaveLength(1);
  });
});

describe('429 OPERATION_TIME_LIMIT', () => {
  const limited = { error: 'OPERATION_TIME_LIMIT', error_description: 'Method is blocked due to operation time limit.' };

  it('waits until operating_reset_at from the 429 body, measured against the server clock', async () => {
    const t = await setup((_req, res, _seen, i) =>
      i === 0 ? sendJson(res, 429, { ...limited, time: time({ operating_reset_at: 1_030 }) }) : sendJson(res, 200, ok()),
    );
    await expect(t.add()).resolves.toBe(true);
    expect(t.seen).toHaveLength(2);
    expect(t.clock.waits).toEqual([31_000]);
    expect(t.events.waits).toEqual([{ method: 'crm.lead.contact.add', reason: 'operation-time-limit', delayMs: 31_000 }]);
  });

  it('falls back to the local clock when the answer has no time.finish', async () => {
    const t = await setup((_req, res, _seen, i) => {
      const resetAt = Math.floor(t.clock.now() / 1000) + 10;
      return i === 0 ? sendJson(res, 429, { ...limited, time: { operating_reset_at: resetAt } }) : sendJson(res, 200, ok());
    });
    await expect(t.add()).resolves.toBe(true);
    expect(t.clock.waits).toEqual([11_000]);
  });

  it('remembers operating_reset_at from an earlier answer of the same method', async () => {
    const t = await setup((_req, res, _seen, i) =>
      i === 1 ? sendJson(res, 429, limited) : sendJson(res, 200, ok(true, { operating: 400, operating_reset_at: 1_020 })),
    );
    await t.add();
    await expect(t.add()).resolves.toBe(true);
    expect(t.clock.waits).toEqual([21_000]);
    expect(t.seen).toHaveLength(3);
  });

  it('fails at once when the reset is further away than maxWaitMs', async () => {
    const t = await setup((_req, res) => sendJson(res, 429, { ...limited, time: time({ operating_reset_at: 1_600 }) }), {
      operationTimeLimit: { maxWaitMs: 60_000 },
    });
    expect(await t.failure()).toMatchObject({ status: 429, code: 'OPERATION_TIME_LIMIT', retryable: true });
    expect(t.seen).toHaveLength(1);
    expect(t.clock.waits).toEqual([]);
  });

  it('fails at once with failFast', async () => {
    const t = await setup((_req, res) => sendJson(res, 429, { ...limited, time: time({ operating_reset_at: 1_001 }) }), {
      operationTimeLimit: { failFast: true },
    });
    expect(await t.failure()).toMatchObject({ code: 'OPERATION_TIME_LIMIT' });
    expect(t.seen).toHaveLength(1);
  });

  it('backs off like a 503 when no reset time is known', async () => {
    const t = await setup((_req, res, _seen, i) => (i === 0 ? sendJson(res, 429, limited) : sendJson(res, 200, ok())));
    await expect(t.add()).resolves.toBe(true);
    expect(t.events.waits.map((w) => w.reason)).toEqual(['retry']);
  });
});

/** Resolves once the client has announced a wait (onWait), checking again after each event-loop turn. */
async function untilWait(waits: WaitEvent[]) {
  while (waits.length === 0) await new Promise((resolve) => setImmediate(resolve));
}

describe('timeouts and cancellation', () => {
  it('reports a stalled response as TIMEOUT after timeoutMs', async () => {
    const t = await setup(() => {}, { timeoutMs: 150, retry: false });
    expect(await t.failure()).toMatchObject({ status: 0, code: 'TIMEOUT', retryable: true, description: 'No answer within 150 ms' });
    expect(t.seen).toHaveLength(1);
  });

  it('reports a body that stalls after the headers as TIMEOUT', async () => {
    const t = await setup((_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).write('{"result":'), {
      timeoutMs: 150,
      retry: false,
    });
    expect(await t.failure()).toMatchObject({ code: 'TIMEOUT' });
  });

  it('lets one call override the client timeout', async () => {
    const t = await setup(() => {}, { timeoutMs: 60_000, retry: false });
    await expect(t.client.call('crm.lead.contact.add', params, { timeoutMs: 100 })).rejects.toMatchObject({ code: 'TIMEOUT' });
  });

  it('repeats a timed-out attempt and counts both requests', async () => {
    // In-process answers: a repeat answered over loopback could itself outlast 150 ms on a busy machine.
    const requests: string[] = [];
    const fetch = (async (url: string, init: RequestInit) => {
      requests.push(url);
      if (requests.length > 1) return new Response(JSON.stringify(ok()), { headers: { 'content-type': 'application/json' } });
      return hang(init.signal);
    }) as typeof globalThis.fetch;
    const t = await setup(() => {}, { timeoutMs: 150, fetch });
    await expect(t.add()).resolves.toBe(true);
    expect(requests).toHaveLength(2);
    expect(t.events.retries[0]).toMatchObject({ status: 0, code: 'TIMEOUT' });
  });

  it('fails on time without a signal, then cancels the body of the answer that comes late', async () => {
    let answer!: (response: Response) => void;
    let bodyCancelled!: () => void;
    const cancelled = new Promise<void>((resolve) => (bodyCancelled = resolve));
    const signals: Array<AbortSignal | null | undefined> = [];
    const fetch = ((_url: string, init: RequestInit) => {
      signals.push(init.signal);
      return new Promise<Response>((resolve) => (answer = resolve));
    }) as typeof globalThis.fetch;
    const t = await setup(() => {}, { timeoutMs: 100, retry: false, fetch });
    expect(await t.failure()).toMatchObject({ code: 'TIMEOUT', description: 'No answer within 100 ms' });
    expect(signals).toEqual([undefined]);
    answer(new Response(new ReadableStream({ cancel: bodyCancelled }), { headers: { 'content-type': 'application/json' } }));
    await cancelled;
  });

  it('gives every request after a timeout before any answer a signal that aborts at its own timeout', async () => {
    const signals: Array<AbortSignal | null | undefined> = [];
    const fetch = ((_url: string, init: RequestInit) => {
      signals.push(init.signal);
      return hang(init.signal);
    }) as typeof globalThis.fetch;
    const t = await setup(() => {}, { timeoutMs: 100, retry: false, fetch });
    for (let call = 0; call < 3; call++) expect(await t.failure()).toMatchObject({ code: 'TIMEOUT' });
    expect(signals[0]).toBeUndefined();
    expect(signals.slice(1).map((signal) => signal?.aborted)).toEqual([true, true]);
  });

  it('ends the call at a timeout that fires while a redirect is being cancelled, without the next hop', async () => {
    const requests: string[] = [];
    let cancelling!: () => void;
    const cancelStarted = new Promise<void>((resolve) => (cancelling = resolve));
    let finishCancel!: () => void;
    const fetch = (async (url: string) => {
      requests.push(url);
      // The redirect's body finishes cancelling only when the test says so, after the timeout.
      const body = new ReadableStream({
        cancel: () => {
          cancelling();
          return new Promise<void>((resolve) => (finishCancel = resolve));
        },
      });
      return new Response(body, { status: 307, headers: { location: `${url}?hop=${requests.length}` } });
    }) as unknown as typeof globalThis.fetch;
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const t = await setup(() => {}, { timeoutMs: 100, retry: false, fetch });
    const failure = t.failure();
    await cancelStarted;
    vi.advanceTimersByTime(100);
    finishCancel();
    expect(await failure).toMatchObject({ code: 'TIMEOUT' });
    expect(requests).toHaveLength(1);
  });

  it('cancels a body that stalls past the timeout, closing its connection', async () => {
    let bodyCancelled!: () => void;
    const cancelled = new Promise<void>((resolve) => (bodyCancelled = resolve));
    const fetch = (async () =>
      new Response(new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode('{"result":')), cancel: bodyCancelled }), {
        headers: { 'content-type': 'application/json' },
      })) as unknown as typeof globalThis.fetch;
    const t = await setup(() => {}, { timeoutMs: 100, retry: false, fetch });
    expect(await t.failure()).toMatchObject({ code: 'TIMEOUT' });
    await cancelled;
  });

  it('aborts a call in flight through its signal', async () => {
    const controller = new AbortController();
    // Aborted once the portal has the request: in flight by then, however slow the machine.
    const t = await setup(() => controller.abort(), { retry: false });
    const call = t.client.call('crm.lead.contact.add', params, { signal: controller.signal });
    await expect(call).rejects.toMatchObject({ status: 0, code: 'ABORTED', retryable: false });
    expect(t.seen).toHaveLength(1);
  });

  it('cancels a backoff sleep through the signal without sending again', async () => {
    const t = await setup((_req, res) => sendJson(res, 503, { error: 'QUERY_LIMIT_EXCEEDED', error_description: '' }), {
      sleep: undefined,
      now: undefined,
      retry: { baseDelayMs: 60_000 },
    });
    const controller = new AbortController();
    // The 60 s backoff outlasts the test timeout, so only a cancelled sleep lets this test finish.
    // Aborted a turn after the wait is announced, so the sleep has begun.
    const call = t.client.call('crm.lead.contact.add', params, { signal: controller.signal });
    await untilWait(t.events.waits);
    setImmediate(() => controller.abort());
    await expect(call).rejects.toMatchObject({ code: 'ABORTED' });
    expect(t.seen).toHaveLength(1);
    expect(t.events.waits).toMatchObject([{ reason: 'retry' }]);
  });

  it('cancels a rate-limit wait through the signal without sending', async () => {
    const t = await setup((_req, res) => sendJson(res, 200, ok()), {
      sleep: undefined,
      now: undefined,
      rateLimit: { drainPerSecond: 0.01, threshold: 3 },
    });
    await t.add();
    const controller = new AbortController();
    const call = t.client.call('crm.lead.contact.add', params, { signal: controller.signal });
    await untilWait(t.events.waits);
    setImmediate(() => controller.abort());
    await expect(call).rejects.toMatchObject({ code: 'ABORTED' });
    expect(t.seen).toHaveLength(1);
    expect(t.events.waits[0]).toMatchObject({ reason: 'rate-limit' });
  });
});

describe('redirects', () => {
  it.each([301, 302, 307, 308])('repeats the same POST with its body at the new address after %i', async (status) => {
    const t = await setup((req, res) =>
      req.url!.startsWith('/old/') ? res.writeHead(status, { Location: req.url!.replace('/old/', '/new/') }).end() : sendJson(res, 200, ok()),
    );
    const client = createBitrix24Client({ webhookUrl: `${t.origin}/old/rest/1/${CODE}/`, allowInsecureHttp: true });
    await expect(client.crm.lead.contact.add(params)).resolves.toBe(true);
    expect(t.seen.map((s) => [s.method, s.path])).toEqual([
      ['POST', `/old/rest/1/${CODE}/crm.lead.contact.add`],
      ['POST', `/new/rest/1/${CODE}/crm.lead.contact.add`],
    ]);
    expect(JSON.parse(t.seen[1]!.body)).toEqual(params);
  });

  it('refuses a redirect loop after 5 hops', async () => {
    const t = await setup((req, res) => res.writeHead(302, { Location: req.url! }).end());
    expect(await t.failure()).toMatchObject({ status: 302, code: 'REDIRECT_REFUSED', retryable: false });
    expect(t.seen).toHaveLength(6);
  });

  it.each([false, true])('refuses a redirect from https to plain http, whatever allowInsecureHttp says (%s)', async (allowInsecureHttp) => {
    let requests = 0;
    const fetch = async () => {
      requests++;
      return new Response(null, { status: 302, headers: { Location: `http://moved.bitrix24.com/rest/1/${CODE}/crm.lead.contact.add` } });
    };
    const client = createBitrix24Client({ webhookUrl: `https://example.bitrix24.com/rest/1/${CODE}/`, fetch, rateLimit: false, allowInsecureHttp });
    const error = (await client.crm.lead.contact.add(params).catch((e: unknown) => e)) as Bitrix24Error;
    expect(error).toMatchObject({ code: 'REDIRECT_REFUSED', status: 302 });
    expect(JSON.stringify(error)).not.toContain(CODE);
    expect(requests).toBe(1);
  });

  it('refuses an opaque redirect, which is all a browser shows of a manual redirect', async () => {
    const fetch = async () => ({ type: 'opaqueredirect', status: 0, ok: false, headers: new Headers(), body: null }) as unknown as Response;
    const client = createBitrix24Client({ webhookUrl: `https://example.bitrix24.com/rest/1/${CODE}/`, fetch });
    await expect(client.crm.lead.contact.add(params)).rejects.toMatchObject({ code: 'REDIRECT_REFUSED', status: 0 });
  });
});

describe('OAuth token refresh', () => {
  const OLD = 'old-access-token-0001';
  const NEW = 'new-access-token-0002';
  const REFRESH = 'refresh-token-0003';

  /** A portal that accepts only the token in `current.token`. */
  async function oauthSetup(options: Partial<Bitrix24ClientOptions> = {}) {
    const current = { token: NEW };
    const server = await startFaultServer((_req, res, seen) =>
      JSON.parse(seen.body).auth === current.token
        ? sendJson(res, 200, ok())
        : sendJson(res, 401, { error: 'expired_token', error_description: 'The access token provided has expired.' }),
    );
    close = server.close;
    const refreshes: (string | undefined)[] = [];
    const persisted: unknown[] = [];
    const client = createBitrix24Client({
      portal: server.origin,
      accessToken: OLD,
      refreshToken: REFRESH,
      allowInsecureHttp: true,
      rateLimit: false,
      onTokenExpired: async ({ refreshToken }) => {
        refreshes.push(refreshToken);
        await new Promise((resolve) => setTimeout(resolve, 30));
        return { accessToken: NEW, refreshToken: 'refresh-token-0004' };
      },
      onTokensRefreshed: (tokens) => void persisted.push(tokens),
      ...options,
    } as Bitrix24ClientOptions);
    return { ...server, client, current, refreshes, persisted };
  }

  it('refreshes once for a burst of expired_token answers and repeats each call once', async () => {
    const t = await oauthSetup();
    const results = await Promise.all(Array.from({ length: 10 }, () => t.client.crm.lead.contact.add(params)));
    expect(results).toEqual(Array(10).fill(true));
    expect(t.refreshes).toEqual([REFRESH]);
    expect(t.persisted).toEqual([{ accessToken: NEW, refreshToken: 'refresh-token-0004' }]);
    expect(t.seen).toHaveLength(20);
    expect(t.seen.filter((s) => JSON.parse(s.body).auth === NEW)).toHaveLength(10);
    expect(t.seen.every((s) => !s.path.includes('auth') && !s.path.includes(NEW) && !s.path.includes(OLD))).toBe(true);
  });

  it('uses the new token for later calls without refreshing again', async () => {
    const t = await oauthSetup();
    await t.client.crm.lead.contact.add(params);
    await t.client.crm.lead.contact.add(params);
    expect(t.refreshes).toHaveLength(1);
    expect(t.seen).toHaveLength(3);
  });

  it('throws expired_token when the repeat after a refresh expires again', async () => {
    const t = await oauthSetup();
    t.current.token = 'a-token-nobody-has';
    await expect(t.client.crm.lead.contact.add(params)).rejects.toMatchObject({ status: 401, code: 'expired_token' });
    expect(t.refreshes).toHaveLength(1);
    expect(t.seen).toHaveLength(2);
  });

  it('reports a failing refresh as TOKEN_REFRESH_FAILED without the tokens', async () => {
    const t = await oauthSetup({
      onTokenExpired: async () => {
        throw new Error(`refresh failed for ${REFRESH} / ${OLD}`);
      },
    });
    const error = (await t.client.crm.lead.contact.add(params).catch((e: unknown) => e)) as Bitrix24Error;
    expect(isBitrix24Error(error)).toBe(true);
    expect(error).toMatchObject({ status: 401, code: 'TOKEN_REFRESH_FAILED', retryable: false });
    expect(error.cause).toBeUndefined();
    expect(JSON.stringify(error) + error.stack).not.toMatch(/refresh-token-0003|old-access-token/);
  });
});
