// Several processes whose OAuth token expires together refresh it once through Redis: one process
// spends the (one-time) refresh token, the others use what it stored. Counts only, no timings.
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFleet, startWorker, type WorkerSettings } from '../support/fleet.js';
import { connectRedis, hasRedisServer, KINDS, requireRedisServer, startRedisServer, type Kind } from '../support/redis.js';

requireRedisServer('one OAuth refresh for the fleet');

const START = { accessToken: 'access-token-0', refreshToken: 'refresh-token-0' };

/**
 * A portal that accepts only the newest access token and a token endpoint that rotates the pair on
 * each exchange and refuses a refresh token used before, as Bitrix24's one-time refresh tokens do.
 * The workers' starting token has already expired.
 */
async function startOAuthPortal() {
  const state = { access: '', refresh: START.refreshToken, exchanges: 0, refused: 0 };
  const server: Server = createServer(async (req, res) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    const body = JSON.parse(text || '{}');
    const send = (status: number, answer: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    if (req.url === '/oauth/token') {
      if (body.refreshToken !== state.refresh) {
        state.refused++;
        return send(400, { error: 'invalid_grant' });
      }
      state.exchanges++;
      state.access = `access-token-${state.exchanges}`;
      state.refresh = `refresh-token-${state.exchanges}`;
      return send(200, { accessToken: state.access, refreshToken: state.refresh });
    }
    if (body.auth === state.access) return send(200, { result: true, time: { start: 1, finish: 1, duration: 0, date_start: '', date_finish: '' } });
    send(401, { error: 'expired_token', error_description: 'The access token provided has expired.' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    state,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe.skipIf(!hasRedisServer)('one OAuth refresh for the fleet', () => {
  let redis: Awaited<ReturnType<typeof startRedisServer>>;
  let portal: Awaited<ReturnType<typeof startOAuthPortal>>;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(() => redis?.stop());

  const worker = (kind: Kind, prefix: string, extra: Partial<WorkerSettings> = {}): WorkerSettings => ({
    kind,
    redisUrl: redis.url,
    storeOptions: { prefix, lockTimeoutMs: 1500 },
    connection: { portal: portal.origin, ...START },
    tokenUrl: `${portal.origin}/oauth/token`,
    calls: 5,
    ...extra,
  });

  it.each(KINDS)('three %s-connected processes with an expired token: one exchange, every call succeeds, new tokens reported once', async (kind) => {
    portal = await startOAuthPortal();
    const prefix = `refresh-${kind}:`;
    const connection = await connectRedis(kind, redis.url);
    try {
      const reports = await runFleet([worker(kind, prefix), worker(kind, prefix), worker(kind, prefix)]);
      expect(reports.flatMap((r) => r.outcomes)).toEqual(Array(15).fill('ok'));
      expect(portal.state).toMatchObject({ exchanges: 1, refused: 0 });
      expect(reports.map((r) => r.exchanges).reduce((a, b) => a + b)).toBe(1);
      expect(reports.flatMap((r) => r.refreshed)).toEqual([{ accessToken: 'access-token-1', refreshToken: 'refresh-token-1' }]);

      // The pair is kept in one hash per portal host, expiring; the lock is gone.
      const host = new URL(portal.origin).host;
      expect(await connection.keys(`${prefix}*`)).toEqual([`${prefix}{${host}}:tokens`]);
      expect(await connection.hgetall(`${prefix}{${host}}:tokens`)).toEqual({ access: 'access-token-1', refresh: 'refresh-token-1' });
      expect(await connection.pttl(`${prefix}{${host}}:tokens`)).toBeGreaterThan(0);

      // A process started later with the old pair takes the stored one instead of refreshing again.
      const [late] = await runFleet([worker(kind, prefix, { calls: 2 })]);
      expect(late).toMatchObject({ outcomes: ['ok', 'ok'], exchanges: 0, refreshed: [] });
      expect(portal.state).toMatchObject({ exchanges: 1, refused: 0 });
    } finally {
      connection.close();
      await portal.close();
    }
  });

  it('is needed: without a store each process spends the same refresh token and all but one fail', async () => {
    portal = await startOAuthPortal();
    try {
      const alone = worker('ioredis', '', { redisUrl: null });
      const reports = await runFleet([alone, alone, alone]);
      expect(portal.state).toMatchObject({ exchanges: 1, refused: 2 });
      expect(reports.filter((r) => r.outcomes.every((o) => o === 'TOKEN_REFRESH_FAILED'))).toHaveLength(2);
    } finally {
      await portal.close();
    }
  });

  // One library is enough here: the lock takes the same commands through either.
  it('a lock holder that crashes mid-refresh blocks nobody: its lock expires and one waiting process refreshes', async () => {
    const kind = 'redis';
    portal = await startOAuthPortal();
    const prefix = `crash-${kind}:`;
    try {
      const holder = startWorker(worker(kind, prefix, { calls: 1, hangInRefresh: true }));
      await holder.ready;
      holder.go();
      await holder.inRefresh; // it holds the lock now
      const others = runFleet([worker(kind, prefix), worker(kind, prefix)]);
      holder.child.kill('SIGKILL');
      const reports = await others;
      expect(reports.flatMap((r) => r.outcomes)).toEqual(Array(10).fill('ok'));
      expect(portal.state).toMatchObject({ exchanges: 1, refused: 0 });
      expect(reports.flatMap((r) => r.refreshed)).toHaveLength(1);
    } finally {
      await portal.close();
    }
  });
});
