// Issue 11, defect 1: a redirect used to carry the credentials (webhook code, `auth`, an Authorization
// header, cookies) to whatever origin it named, and from an https:// portal to plain http://.
import { afterEach, describe, expect, it } from 'vitest';
import { rawClient, createBitrix24Client, type Bitrix24ClientOptions, type Bitrix24Error } from '../../src/index.js';
import { ok, sendJson, startFaultServer, type Script } from '../support/fault-server.js';

const CODE = 'originwebhookcode31';
const TOKEN = 'origin-access-token-77';
const params = { id: 1, fields: { CONTACT_ID: 1010 } };
const servers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function server(script: Script) {
  const started = await startFaultServer(script);
  servers.push(started);
  return started;
}

/** A portal whose every answer redirects to the same path on `elsewhere`, and the other origin itself. */
async function movedPortal(status = 302) {
  const elsewhere = await server((_req, res) => sendJson(res, 200, ok()));
  const portal = await server((req, res) => res.writeHead(status, { Location: `${elsewhere.origin}${req.url}` }).end());
  return { portal, elsewhere };
}

const fails = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.unreachable('the call should fail'),
    (error: unknown) => error as Bitrix24Error,
  );

const secretsIn = (error: Bitrix24Error) => [error.message, String(error.stack), JSON.stringify(error)].join('\n');

describe('credentials never leave the portal origin', () => {
  it.each([301, 302, 307, 308])('a %i to another origin fails with PORTAL_MOVED and sends nothing there (webhook)', async (status) => {
    const { portal, elsewhere } = await movedPortal(status);
    const client = createBitrix24Client({ webhookUrl: `${portal.origin}/rest/1/${CODE}/`, allowInsecureHttp: true, rateLimit: false });
    const error = await fails(client.crm.lead.contact.add(params));
    expect(error).toMatchObject({ status, code: 'PORTAL_MOVED', retryable: false, newOrigin: elsewhere.origin });
    expect(JSON.parse(JSON.stringify(error)).newOrigin).toBe(elsewhere.origin);
    expect(error.description).toContain(elsewhere.origin);
    expect(secretsIn(error)).not.toContain(CODE);
    expect(portal.seen).toHaveLength(1); // not repeated: the move is not transient
    expect(elsewhere.seen).toHaveLength(0);
  });

  it('keeps the OAuth auth, an Authorization header and cookies of a raw call away from another origin', async () => {
    const { portal, elsewhere } = await movedPortal(307);
    const client = createBitrix24Client({ portal: portal.origin, accessToken: TOKEN, allowInsecureHttp: true, rateLimit: false });
    await expect(client.crm.lead.contact.add(params)).rejects.toMatchObject({ code: 'PORTAL_MOVED' });
    const raw = rawClient(client).POST('/crm.lead.contact.add', { body: params, headers: { Authorization: `Bearer ${TOKEN}`, Cookie: `sid=${TOKEN}` } });
    await expect(raw).rejects.toMatchObject({ code: 'PORTAL_MOVED', newOrigin: elsewhere.origin });
    expect(elsewhere.seen).toHaveLength(0);
    expect(portal.seen).toHaveLength(2);
  });

  it('refuses a raw call aimed at another origin through its own baseUrl, sending nothing', async () => {
    const portal = await server((_req, res) => sendJson(res, 200, ok()));
    const elsewhere = await server((_req, res) => sendJson(res, 200, ok()));
    const client = createBitrix24Client({ portal: portal.origin, accessToken: TOKEN, allowInsecureHttp: true, rateLimit: false });
    const raw = rawClient(client).POST('/crm.lead.contact.add', { body: params, baseUrl: `${elsewhere.origin}/rest` });
    await expect(raw).rejects.toMatchObject({ status: 0, code: 'ORIGIN_REFUSED', retryable: false });
    expect(elsewhere.seen).toHaveLength(0);
    expect(portal.seen).toHaveLength(0);
  });

  it.each([false, true])(
    'never follows an https:// portal to plain http:// (allowInsecureHttp: %s), not even when following moves',
    async (allowInsecureHttp) => {
      const sent: string[] = [];
      const fetch = async (url: RequestInfo | URL) => {
        sent.push(String(url));
        // The same host over http (a downgrade) first, then another host over http.
        const target = sent.length % 2 ? 'http://example.bitrix24.com' : 'http://moved.bitrix24.com';
        return new Response(null, { status: 302, headers: { Location: `${target}/rest/crm.lead.contact.add` } });
      };
      const client = createBitrix24Client({
        portal: 'example.bitrix24.com',
        accessToken: TOKEN,
        allowInsecureHttp,
        followPortalMoves: true,
        fetch,
        rateLimit: false,
      });
      for (let i = 0; i < 2; i++) {
        const error = await fails(client.crm.lead.contact.add(params));
        expect(error).toMatchObject({ status: 302, code: 'REDIRECT_REFUSED', retryable: false });
        expect(secretsIn(error)).not.toContain(TOKEN);
      }
      expect(sent.every((url) => url.startsWith('https://example.bitrix24.com/'))).toBe(true);
    },
  );

  it('still follows a redirect within the portal origin', async () => {
    const portal = await server((req, res) =>
      req.url!.startsWith('/old/') ? res.writeHead(308, { Location: req.url!.replace('/old/', '/new/') }).end() : sendJson(res, 200, ok()),
    );
    const client = createBitrix24Client({ webhookUrl: `${portal.origin}/old/rest/1/${CODE}/`, allowInsecureHttp: true, rateLimit: false });
    await expect(client.crm.lead.contact.add(params)).resolves.toBe(true);
    expect(portal.seen.map((s) => s.path)).toEqual([`/old/rest/1/${CODE}/crm.lead.contact.add`, `/new/rest/1/${CODE}/crm.lead.contact.add`]);
  });
});

describe('followPortalMoves: an explicit opt-in to a portal that moved', () => {
  async function followingClient(options: Partial<Bitrix24ClientOptions> = {}) {
    const { portal, elsewhere } = await movedPortal(302);
    const moves: unknown[] = [];
    const client = createBitrix24Client({
      portal: portal.origin,
      accessToken: TOKEN,
      allowInsecureHttp: true,
      rateLimit: false,
      followPortalMoves: true,
      onPortalMoved: (move) => void moves.push(move),
      ...options,
    } as Bitrix24ClientOptions);
    return { client, portal, elsewhere, moves };
  }

  it('re-sends the call with its credentials to the new origin and reports the move once', async () => {
    const t = await followingClient();
    await expect(t.client.crm.lead.contact.add(params)).resolves.toBe(true);
    expect(t.elsewhere.seen).toHaveLength(1);
    expect(JSON.parse(t.elsewhere.seen[0]!.body)).toEqual({ ...params, auth: TOKEN });
    expect(t.moves).toEqual([{ from: t.portal.origin, to: t.elsewhere.origin }]);
  });

  it('sends every later call straight to the new origin', async () => {
    const t = await followingClient();
    await t.client.crm.lead.contact.add(params);
    await t.client.crm.lead.contact.add(params);
    await rawClient(t.client).POST('/crm.lead.contact.add', { body: params });
    expect(t.portal.seen).toHaveLength(1);
    expect(t.elsewhere.seen.map((s) => s.path)).toEqual(Array(3).fill('/rest/crm.lead.contact.add'));
    expect(t.moves).toHaveLength(1);
  });

  it('keeps an Authorization header of a raw call but drops its cookies, which belong to the old host', async () => {
    const headers: Array<Record<string, unknown>> = [];
    const elsewhere = await server((req, res) => {
      headers.push({ authorization: req.headers.authorization, cookie: req.headers.cookie });
      sendJson(res, 200, ok());
    });
    const portal = await server((req, res) => res.writeHead(302, { Location: `${elsewhere.origin}${req.url}` }).end());
    const client = createBitrix24Client({ portal: portal.origin, accessToken: TOKEN, allowInsecureHttp: true, rateLimit: false, followPortalMoves: true });
    const { response } = await rawClient(client).POST('/crm.lead.contact.add', {
      body: params,
      headers: { Authorization: 'Bearer opted-in', Cookie: 'sid=old-host' },
    });
    expect(response.status).toBe(200);
    expect(headers).toEqual([{ authorization: 'Bearer opted-in', cookie: undefined }]);
  });

  it('ignores an onPortalMoved callback that throws', async () => {
    const t = await followingClient({
      onPortalMoved: () => {
        throw new Error('store unavailable');
      },
    });
    await expect(t.client.crm.lead.contact.add(params)).resolves.toBe(true);
  });
});
