// drainOfflineEvents against the sandbox's offline queue, and oauthRefresh against its authorization
// server: in process, through the client.
import { describe, expect, it } from 'vitest';
import { drainOfflineEvents, OAuthRefreshError, oauthRefresh, type OfflineEvent } from '../../src/events.js';
import { createBitrix24Client } from '../../src/index.js';
import { createSandbox } from '../../src/sandbox/browser.js';

const PORTAL = 'https://sandbox.bitrix24.test';

async function appWithQueuedEvents(leads: number) {
  const sandbox = createSandbox();
  const installed = sandbox.installApp({ clientId: 'local.offline', clientSecret: 'offline-secret' });
  const client = createBitrix24Client({ portal: PORTAL, accessToken: installed.access_token, fetch: sandbox.fetch });
  await client.event.bind({ event: 'ONCRMLEADADD', event_type: 'offline' });
  for (let i = 0; i < leads; i++) await client.crm.lead.add({ fields: { TITLE: `Lead ${i}` } });
  return { sandbox, client, installed };
}

describe('drainOfflineEvents', () => {
  it('hands every queued event on in batches of `limit` and empties the queue', async () => {
    const { client } = await appWithQueuedEvents(5);
    const batches: number[] = [];
    const result = await drainOfflineEvents(client, { limit: 2, onEvents: (events) => void batches.push(events.length) });
    expect(batches).toEqual([2, 2, 1]);
    expect(result).toMatchObject({ handled: 5, batches: 3 });
    expect(await client.event.offline.list({})).toEqual([]);
  });

  it('keeps a batch whose callback failed, and a later drain with its processId gets it again (at least once)', async () => {
    const { client } = await appWithQueuedEvents(2);
    let reserved: string | undefined;
    const failure = await drainOfflineEvents(client, {
      onReserve: (id) => {
        reserved = id;
      },
      onEvents: () => {
        throw new Error('the database is down');
      },
    }).catch((error: Error & { processId?: string }) => error);
    expect(failure).toMatchObject({ message: 'the database is down', processId: reserved });
    const seen: OfflineEvent[] = [];
    await drainOfflineEvents(client, { processId: reserved!, onEvents: (events) => void seen.push(...events) });
    expect(seen.map((event) => event.EVENT_NAME)).toEqual(['ONCRMLEADADD', 'ONCRMLEADADD']);
  });
});

describe('oauthRefresh', () => {
  it('gets a new pair from the authorization server, and throws its error code without the secret for a used refresh token', async () => {
    const sandbox = createSandbox();
    const installed = sandbox.installApp({ clientId: 'local.refresh', clientSecret: 'refresh-secret-42' });
    const refresh = oauthRefresh({ clientId: 'local.refresh', clientSecret: 'refresh-secret-42', oauthServer: PORTAL, fetch: sandbox.fetch });
    const tokens = await refresh({ refreshToken: installed.refresh_token });
    expect(tokens.accessToken).not.toBe(installed.access_token);
    const error = await refresh({ refreshToken: installed.refresh_token }).catch((e) => e);
    expect(error).toBeInstanceOf(OAuthRefreshError);
    expect(error).toMatchObject({ code: 'invalid_grant', status: 400 });
    expect(String(error.message)).not.toContain('refresh-secret-42');
    expect(String(error.message)).not.toContain(installed.refresh_token);
  });
});
