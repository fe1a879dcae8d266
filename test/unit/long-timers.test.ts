// Delays past a JavaScript timer's limit (2^31-1 ms, about 24.8 days): Node fires such a timer after
// 1 ms with a TimeoutOverflowWarning, browsers at once. The client waits them in steps, so a 30-day
// timeout or wait means 30 days. Vitest's fake timers reproduce the overflow, so these tests would
// see a timer set straight to 30 days fire after 1 ms.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBitrix24Client, type StoreErrorEvent, type WaitEvent } from '../../src/index.js';
import { createSharedStore, type StoreBackend } from '../../src/store/shared-store.js';
import { MAX_TIMER_MS, setLongTimeout, sleep } from '../../src/client/sleep.js';
import { ok, time } from '../support/fault-server.js';

const DAY_MS = 24 * 3600 * 1000;
const THIRTY_DAYS_MS = 30 * DAY_MS;
const params = { id: 1, fields: { CONTACT_ID: 2 } };
const webhookUrl = 'https://long-timers.bitrix24.com/rest/1/longtimerscode/';

/** A fetch that answers only when its signal aborts (with the abort) or when `answer` is called. */
function heldFetch() {
  const requests: string[] = [];
  const answers: Array<() => void> = [];
  let sent: () => void = () => {};
  const requested = new Promise<void>((resolve) => {
    sent = resolve;
  });
  const fetch = (async (url: string, init: RequestInit) => {
    requests.push(String(url));
    sent();
    return new Promise<Response>((resolve, reject) => {
      init.signal?.addEventListener('abort', () => reject(init.signal!.reason));
      answers.push(() => resolve(new Response(JSON.stringify(ok()), { headers: { 'content-type': 'application/json' } })));
    });
  }) as typeof globalThis.fetch;
  return { fetch, requests, requested, answerAll: () => answers.splice(0).forEach((answer) => answer()) };
}

/** Settles to 'pending' if `promise` has not settled after the microtasks queued so far. */
const state = (promise: Promise<unknown>) =>
  Promise.race([
    promise.then(
      () => 'resolved',
      () => 'rejected',
    ),
    new Promise((resolve) => setImmediate(() => resolve('pending'))),
  ]);

describe('setLongTimeout and sleep: delays of any finite length', () => {
  beforeEach(() => void vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] }));
  afterEach(() => void vi.useRealTimers());

  it('fires a 30-day delay after 30 days, not before, and never hands setTimeout more than 2^31-1 ms', async () => {
    // Every delay handed to the (fake) setTimeout, recorded by a wrapper put back before afterEach
    // restores the real timers; a vi.spyOn here would leave the fake installed in the worker.
    const fakeSetTimeout = globalThis.setTimeout;
    const delays: number[] = [];
    globalThis.setTimeout = ((handler: () => void, ms?: number) => (delays.push(ms ?? 0), fakeSetTimeout(handler, ms))) as typeof setTimeout;
    const fire = vi.fn();
    try {
      setLongTimeout(THIRTY_DAYS_MS, fire);
      await vi.advanceTimersByTimeAsync(MAX_TIMER_MS + 1);
      expect(fire).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(THIRTY_DAYS_MS - MAX_TIMER_MS - 2);
      expect(fire).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(1);
      expect(fire).toHaveBeenCalledTimes(1);
      expect(Math.max(...delays)).toBe(MAX_TIMER_MS);
    } finally {
      globalThis.setTimeout = fakeSetTimeout;
    }
  });

  it('cancels a long delay at any step', async () => {
    const fire = vi.fn();
    const cancel = setLongTimeout(3 * MAX_TIMER_MS, fire);
    await vi.advanceTimersByTimeAsync(MAX_TIMER_MS + 5);
    cancel();
    await vi.advanceTimersByTimeAsync(3 * MAX_TIMER_MS);
    expect(fire).not.toHaveBeenCalled();
  });

  it('sleep: resolves after 30 days, not before; an abort ends it at once with the reason', async () => {
    const slept = sleep(THIRTY_DAYS_MS);
    await vi.advanceTimersByTimeAsync(THIRTY_DAYS_MS - 1);
    expect(await state(slept)).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(await state(slept)).toBe('resolved');

    const controller = new AbortController();
    const aborted = sleep(THIRTY_DAYS_MS, controller.signal);
    await vi.advanceTimersByTimeAsync(MAX_TIMER_MS + 1);
    controller.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
  });

  it('keeps delays up to 2^31-1 ms in one timer', async () => {
    const fire = vi.fn();
    setLongTimeout(MAX_TIMER_MS, fire);
    await vi.advanceTimersByTimeAsync(MAX_TIMER_MS - 1);
    expect(fire).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(fire).toHaveBeenCalledTimes(1);
  });
});

describe('timeoutMs past 2^31-1 ms', () => {
  describe('with fake timers', () => {
    beforeEach(() => void vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] }));
    afterEach(() => void vi.useRealTimers());

    it('timeoutMs of 30 days fails the call with TIMEOUT after 30 days, not before', async () => {
      const portal = heldFetch();
      const client = createBitrix24Client({ webhookUrl, fetch: portal.fetch, rateLimit: false, retry: false, timeoutMs: THIRTY_DAYS_MS });
      const call = client.crm.lead.contact.add(params);
      call.catch(() => {});
      await vi.advanceTimersByTimeAsync(MAX_TIMER_MS + 1);
      expect(await state(call)).toBe('pending');
      await vi.advanceTimersByTimeAsync(THIRTY_DAYS_MS - MAX_TIMER_MS - 2);
      expect(await state(call)).toBe('pending');
      await vi.advanceTimersByTimeAsync(1);
      await expect(call).rejects.toMatchObject({ code: 'TIMEOUT', description: `No answer within ${THIRTY_DAYS_MS} ms` });
      expect(portal.requests).toHaveLength(1);
    });

    it('a per-call timeoutMs of 30 days likewise', async () => {
      const portal = heldFetch();
      const client = createBitrix24Client({ webhookUrl, fetch: portal.fetch, rateLimit: false, retry: false });
      const call = client.crm.lead.contact.add(params, { timeoutMs: THIRTY_DAYS_MS });
      call.catch(() => {});
      await vi.advanceTimersByTimeAsync(THIRTY_DAYS_MS - 1);
      expect(await state(call)).toBe('pending');
      portal.answerAll();
      await expect(call).resolves.toBe(true);
    });

    it('a rate-limit wait past 2^31-1 ms (a tiny drain rate) is waited in full before the request goes out', async () => {
      const portal = heldFetch();
      const waits: WaitEvent[] = [];
      const client = createBitrix24Client({
        webhookUrl,
        fetch: portal.fetch,
        retry: false,
        rateLimit: { drainPerSecond: 1e-7, burst: 1 },
        hooks: { onWait: (event) => void waits.push(event) },
      });
      const first = client.crm.lead.contact.add(params);
      const second = client.crm.lead.contact.add(params);
      await vi.advanceTimersByTimeAsync(0);
      expect(portal.requests).toHaveLength(1);
      expect(waits).toEqual([{ method: 'crm.lead.contact.add', reason: 'rate-limit', delayMs: 1e10 }]);
      portal.answerAll();
      await expect(first).resolves.toBe(true);
      await vi.advanceTimersByTimeAsync(1e10 - 1);
      expect(portal.requests).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(portal.requests).toHaveLength(2);
      portal.answerAll();
      await expect(second).resolves.toBe(true);
    });

    it('a 429 wait past 2^31-1 ms (operating_reset_at 30 days ahead, maxWaitMs allowing it) is waited in full', async () => {
      const requests: number[] = [];
      const fetch = (async () => {
        requests.push(Date.now());
        const body =
          requests.length === 1
            ? {
                error: 'OPERATION_TIME_LIMIT',
                error_description: 'Method is blocked',
                time: time({ finish: 1_000, operating_reset_at: 1_000 + THIRTY_DAYS_MS / 1000 }),
              }
            : ok();
        return new Response(JSON.stringify(body), { status: requests.length === 1 ? 429 : 200, headers: { 'content-type': 'application/json' } });
      }) as typeof globalThis.fetch;
      const client = createBitrix24Client({ webhookUrl, fetch, rateLimit: false, operationTimeLimit: { maxWaitMs: 2 * THIRTY_DAYS_MS } });
      const call = client.crm.lead.contact.add(params);
      await vi.advanceTimersByTimeAsync(MAX_TIMER_MS + 1);
      expect(requests).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(THIRTY_DAYS_MS);
      await expect(call).resolves.toBe(true);
      expect(requests).toHaveLength(2);
    });
  });

  it('with real timers: no TimeoutOverflowWarning, and the answer that comes after a later timer is read', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => void warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const portal = heldFetch();
      const client = createBitrix24Client({ webhookUrl, fetch: portal.fetch, rateLimit: false, retry: false, timeoutMs: THIRTY_DAYS_MS });
      const call = client.crm.lead.contact.add(params);
      await portal.requested;
      // Set after the client's timer (which starts before the request): an overflowed one (1 ms) would fire first and abort the call.
      await new Promise((resolve) => setTimeout(resolve, 20));
      portal.answerAll();
      await expect(call).resolves.toBe(true);
      // Node emits the warning on the next tick after the timer is set: long past by now.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.map((w) => w.name)).not.toContain('TimeoutOverflowWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('a store timeoutMs of 30 days waits for a slow store answer instead of failing over at once', async () => {
    const events: StoreErrorEvent[] = [];
    let answerTake: (delayMs: number) => void = () => {};
    let backendAsked: () => void = () => {};
    const asked = new Promise<void>((resolve) => {
      backendAsked = resolve;
    });
    const backend = {
      take: () =>
        new Promise<number>((resolve) => {
          answerTake = resolve;
          backendAsked();
        }),
      give: async () => {},
      fill: async () => {},
    } as unknown as StoreBackend;
    const portal = heldFetch();
    const client = createBitrix24Client({
      webhookUrl,
      fetch: portal.fetch,
      retry: false,
      store: createSharedStore(backend, { timeoutMs: THIRTY_DAYS_MS, lockTimeoutMs: 1000, retryAfterMs: 1000 }),
      hooks: { onStoreError: (event) => void events.push(event) },
    });
    const call = client.crm.lead.contact.add(params);
    await asked;
    // Set after the store timeout's timer: an overflowed one (1 ms) would fire first and pace locally.
    await new Promise((resolve) => setTimeout(resolve, 20));
    answerTake(0);
    await portal.requested;
    portal.answerAll();
    await expect(call).resolves.toBe(true);
    expect(events).toEqual([]);
  });
});
