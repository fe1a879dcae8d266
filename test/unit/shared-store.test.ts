// The fleet logic of a store on a scripted backend, without Redis: what is asked of the store, what
// happens when it fails or never answers, and which stored tokens a client takes.
import { afterEach, describe, expect, it } from 'vitest';
import { createBitrix24Client, type StoreErrorEvent } from '../../src/index.js';
import { createSharedStore, type StoreBackend } from '../../src/store/shared-store.js';
import type { OAuthTokens } from '../../src/client/auth.js';
import { ok, sendJson, startFaultServer } from '../support/fault-server.js';

let close: (() => Promise<void>) | undefined;
afterEach(() => close?.());

const settings = { timeoutMs: 100, lockTimeoutMs: 1000, retryAfterMs: 60_000 };
const params = { id: 1, fields: { CONTACT_ID: 2 } };

/** A backend that records each operation and answers with `answer` (or never, with `hang`). */
function scripted(overrides: Partial<StoreBackend> = {}) {
  const calls: string[] = [];
  let stored: OAuthTokens | undefined;
  let holder: string | undefined;
  const backend: StoreBackend = {
    take: async (portal) => (calls.push(`take ${portal}`), 0),
    give: async () => void calls.push('give'),
    fill: async () => void calls.push('fill'),
    readTokens: async () => (calls.push('read'), stored),
    lock: async (_portal, owner) => (calls.push('lock'), holder ? false : ((holder = owner), true)),
    saveTokens: async (_portal, _owner, tokens) => void (calls.push('save'), (stored = tokens), (holder = undefined)),
    unlock: async () => void (calls.push('unlock'), (holder = undefined)),
    ...overrides,
  };
  return { backend, calls, store: (tokens: OAuthTokens) => void (stored = tokens) };
}

async function webhookPortal(status = 200) {
  const server = await startFaultServer((_req, res) =>
    status === 200 ? sendJson(res, 200, ok()) : sendJson(res, status, { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' }),
  );
  close = server.close;
  return server;
}

describe('a shared store: rate limit', () => {
  it('takes every request from the portal host bucket, and fills it after a 503', async () => {
    const server = await webhookPortal(503);
    const { backend, calls } = scripted();
    const client = createBitrix24Client({
      webhookUrl: `${server.origin}/rest/1/sharedstorecode/`,
      allowInsecureHttp: true,
      retry: false,
      store: createSharedStore(backend, settings),
    });
    await expect(client.crm.lead.contact.add(params)).rejects.toMatchObject({ code: 'QUERY_LIMIT_EXCEEDED' });
    expect(calls).toEqual([`take ${new URL(server.origin).host}`]);

    const retrying = createBitrix24Client({
      webhookUrl: `${server.origin}/rest/1/sharedstorecode/`,
      allowInsecureHttp: true,
      retry: { attempts: 2, baseDelayMs: 0, maxDelayMs: 0 },
      store: createSharedStore(backend, settings),
    });
    calls.length = 0;
    await expect(retrying.crm.lead.contact.add(params)).rejects.toMatchObject({ code: 'QUERY_LIMIT_EXCEEDED' });
    expect(calls.filter((c) => c === 'fill')).toHaveLength(1);
  });

  it.each([
    ['rejects', () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379'))],
    ['never answers', () => new Promise<number>(() => {})],
  ])('paces locally, starting full, when the store %s, and warns once through hooks and logger', async (_case, take) => {
    const server = await webhookPortal();
    const { backend } = scripted({ take });
    const events: StoreErrorEvent[] = [];
    const warnings: unknown[] = [];
    const waits: number[] = [];
    const client = createBitrix24Client({
      webhookUrl: `${server.origin}/rest/1/sharedstorecode/`,
      allowInsecureHttp: true,
      rateLimit: { drainPerSecond: 2, burst: 10 },
      now: () => 0,
      sleep: async (ms) => void waits.push(ms),
      store: createSharedStore(backend, settings),
      hooks: { onStoreError: (event) => void events.push(event) },
      logger: { debug: () => {}, warn: (message, details) => void warnings.push([message, details]) },
    });
    await Promise.all([1, 2, 3].map(() => client.crm.lead.contact.add(params)));
    // Full at 8 (10 minus the margin): each request waits for one more to drain, at 2/s.
    expect(waits).toEqual([500, 1000, 1500]);
    expect(events).toHaveLength(1);
    expect(events[0]!.operation).toBe('rate-limit');
    expect(warnings).toEqual([['bitrix24 store unavailable, pacing locally', events[0]]]);
  });
});

describe('a shared store: token refresh', () => {
  async function oauthPortal(valid: string) {
    const server = await startFaultServer((_req, res, seen) =>
      JSON.parse(seen.body).auth === valid ? sendJson(res, 200, ok()) : sendJson(res, 401, { error: 'expired_token', error_description: 'expired' }),
    );
    close = server.close;
    return server;
  }

  function oauthClient(origin: string, backend: StoreBackend, exchanges: string[], refreshed: OAuthTokens[] = []) {
    return createBitrix24Client({
      portal: origin,
      accessToken: 'access-token-old',
      refreshToken: 'refresh-token-old',
      allowInsecureHttp: true,
      rateLimit: false,
      store: createSharedStore(backend, settings),
      onTokenExpired: async ({ refreshToken }) => {
        exchanges.push(refreshToken!);
        return { accessToken: 'access-token-mine', refreshToken: 'refresh-token-mine' };
      },
      onTokensRefreshed: (tokens) => void refreshed.push(tokens),
    });
  }

  it('uses a stored pair it has not held before instead of refreshing', async () => {
    const server = await oauthPortal('access-token-stored');
    const { backend, calls, store } = scripted();
    store({ accessToken: 'access-token-stored', refreshToken: 'refresh-token-stored' });
    const exchanges: string[] = [];
    await oauthClient(server.origin, backend, exchanges).crm.lead.contact.add(params);
    expect(exchanges).toEqual([]);
    expect(calls).toEqual(['read']);
  });

  it('refreshes under the lock, stores the pair, reports it once, for a burst of expired calls', async () => {
    const server = await oauthPortal('access-token-mine');
    const { backend, calls } = scripted();
    const exchanges: string[] = [];
    const refreshed: OAuthTokens[] = [];
    const client = oauthClient(server.origin, backend, exchanges, refreshed);
    await Promise.all([1, 2, 3].map(() => client.crm.lead.contact.add(params)));
    expect(exchanges).toEqual(['refresh-token-old']);
    expect(calls).toEqual(['read', 'lock', 'read', 'save']);
    expect(refreshed).toEqual([{ accessToken: 'access-token-mine', refreshToken: 'refresh-token-mine' }]);
  });

  it('does not take back a stored token it held before, from a store that lags behind', async () => {
    const server = await oauthPortal('access-token-mine');
    const { backend, store } = scripted();
    store({ accessToken: 'access-token-old', refreshToken: 'refresh-token-old' });
    const exchanges: string[] = [];
    await oauthClient(server.origin, backend, exchanges).crm.lead.contact.add(params);
    expect(exchanges).toEqual(['refresh-token-old']);
  });

  it('gives up waiting for a lock that is never released, with TOKEN_REFRESH_FAILED and no exchange', async () => {
    const server = await oauthPortal('access-token-mine');
    const { backend } = scripted({ lock: async () => false });
    const exchanges: string[] = [];
    const client = createBitrix24Client({
      portal: server.origin,
      accessToken: 'access-token-old',
      allowInsecureHttp: true,
      rateLimit: false,
      store: createSharedStore(backend, { ...settings, lockTimeoutMs: 150 }),
      onTokenExpired: async () => {
        exchanges.push('called');
        return { accessToken: 'access-token-mine' };
      },
    });
    await expect(client.crm.lead.contact.add(params)).rejects.toMatchObject({ code: 'TOKEN_REFRESH_FAILED' });
    expect(exchanges).toEqual([]);
  });
});

describe('a shared store: the refresh lock under a slow store', () => {
  async function expiredPortal() {
    const server = await startFaultServer((_req, res) => sendJson(res, 401, { error: 'expired_token', error_description: 'expired' }));
    close = server.close;
    return server;
  }

  /** A lock whose answer arrives only when the test calls `answer`; `unlocked` resolves with the first owner released. */
  function lateLock() {
    let answer: (taken: boolean) => void = () => {};
    let released: (owner: string) => void = () => {};
    const owners: string[] = [];
    const unlocked: string[] = [];
    const { backend } = scripted({
      lock: (_portal, owner) => new Promise<boolean>((resolve) => void (owners.push(owner), (answer = resolve))),
      unlock: async (_portal, owner) => void (unlocked.push(owner), released(owner)),
    });
    const firstUnlock = new Promise<string>((resolve) => {
      released = resolve;
    });
    return { backend, owners, unlocked, firstUnlock, answer: (taken: boolean) => answer(taken) };
  }

  function client(origin: string, backend: StoreBackend, exchanges: string[]) {
    return createBitrix24Client({
      portal: origin,
      accessToken: 'access-token-old',
      refreshToken: 'refresh-token-old',
      allowInsecureHttp: true,
      rateLimit: false,
      store: createSharedStore(backend, settings),
      onTokenExpired: async () => {
        exchanges.push('called');
        return { accessToken: 'access-token-new' };
      },
    });
  }

  it('releases a lock whose SET landed after the store timeout, under its own owner, once the late answer says it was taken', async () => {
    const server = await expiredPortal();
    const lock = lateLock();
    const exchanges: string[] = [];
    await expect(client(server.origin, lock.backend, exchanges).crm.lead.contact.add(params)).rejects.toMatchObject({ code: 'TOKEN_REFRESH_FAILED' });
    expect(lock.unlocked).toEqual([]);
    lock.answer(true);
    expect(await lock.firstUnlock).toBe(lock.owners[0]);
    expect(lock.unlocked).toEqual(lock.owners);
    expect(exchanges).toEqual([]);
  });

  it('releases nothing when the late answer says another process holds the lock', async () => {
    const server = await expiredPortal();
    const lock = lateLock();
    await expect(client(server.origin, lock.backend, []).crm.lead.contact.add(params)).rejects.toMatchObject({ code: 'TOKEN_REFRESH_FAILED' });
    lock.answer(false);
    // The late answer is handled in the microtasks after it; a macrotask later everything it started has run.
    await new Promise((resolve) => setImmediate(resolve));
    expect(lock.unlocked).toEqual([]);
  });
});
