import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBitrix24Client, isBitrix24Error } from '../../src/index.js';
import { startSandbox, type RunningSandbox } from '../../src/node/sandbox.js';
import { expectContractAnswer, postJson, send } from '../support/contract-answer.js';
import { RawConnection } from '../support/raw-http.js';

const ITEMS_GET = 'crm.lead.contact.items.get';
/** Lead 1 of the default seed, as items.get shows it. */
const SEEDED_LINKS = [
  { CONTACT_ID: 1010, SORT: 10, ROLE_ID: 0, IS_PRIMARY: 'Y' },
  { CONTACT_ID: 1011, SORT: 20, ROLE_ID: 0, IS_PRIMARY: 'N' },
];

let server: RunningSandbox;
beforeAll(async () => {
  server = await startSandbox();
});
afterAll(() => server.close());

describe('startSandbox', () => {
  it('listens on 127.0.0.1 on a free port and names its URLs', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.port).toBeGreaterThan(0);
    expect(server.webhookUrl).toBe(`${server.url}/rest/1/sandbox/`);
    expect(server.oauthUrl).toBe(`${server.url}/rest/`);
    expect(server.adminUrl).toBe(`${server.url}/__sandbox/`);
  });

  it('keeps state between calls of the real client, and shows it through the in-process members', async () => {
    server.reset();
    const client = createBitrix24Client({ webhookUrl: server.webhookUrl, allowInsecureHttp: true, retry: false });
    expect(await client.crm.lead.contact.add({ id: 2, fields: { CONTACT_ID: 1020 } })).toBe(true);
    expect(await client.crm.lead.contact.items.get({ id: 2 })).toEqual([{ CONTACT_ID: 1020, SORT: 10, ROLE_ID: 0, IS_PRIMARY: 'Y' }]);
    expect(server.lead(2)?.contacts).toEqual([{ CONTACT_ID: 1020, SORT: 10, IS_PRIMARY: 'Y' }]);
    expect(server.calls.map((call) => call.method)).toEqual(['crm.lead.contact.add', ITEMS_GET]);
  });

  it('answers an OAuth client (token as auth in the body) from the default portal', async () => {
    server.reset();
    const client = createBitrix24Client({ portal: server.url, accessToken: 'any-token', allowInsecureHttp: true, retry: false });
    expect(await client.crm.lead.contact.items.get({ id: 1 })).toEqual(SEEDED_LINKS);
  });

  it('answers a documented error through the client as a Bitrix24Error', async () => {
    const client = createBitrix24Client({ webhookUrl: server.webhookUrl, allowInsecureHttp: true, retry: false });
    const error = await client.crm.lead.contact.items.get({ id: 999 }).catch((e: unknown) => e);
    expect(isBitrix24Error(error) && { status: error.status, code: error.code }).toEqual({ status: 400, code: 'NOT_FOUND' });
  });

  it('refuses bad options, naming the option', async () => {
    await expect(startSandbox({ port: 70_000 })).rejects.toThrow(/port must be an integer from 0 to 65535/);
    await expect(startSandbox({ maxPortals: 0 })).rejects.toThrow(/maxPortals must be a positive integer/);
    await expect(startSandbox({ timeouts: { bodyIdleMs: -1 } })).rejects.toThrow(/timeouts.bodyIdleMs/);
    await expect(startSandbox({ seed: { leads: [{ id: 1, contacts: [{ CONTACT_ID: 0 }] }] } })).rejects.toThrow(
      /seed: leads\[0\]\.contacts\[0\]\.CONTACT_ID must be a positive integer/,
    );
  });
});

describe('the Bitrix24 URL forms', () => {
  const json = { 'content-type': 'application/json' };
  const forms: Array<[string, () => [string, RequestInit]]> = [
    ['webhook', () => [`${server.url}/rest/1/sandbox/${ITEMS_GET}`, { method: 'POST', headers: json, body: '{"id":1}' }]],
    ['webhook with .json', () => [`${server.url}/rest/1/sandbox/${ITEMS_GET}.json`, { method: 'POST', headers: json, body: '{"id":1}' }]],
    ['webhook with a trailing slash', () => [`${server.url}/rest/1/sandbox/${ITEMS_GET}/`, { method: 'POST', headers: json, body: '{"id":1}' }]],
    ['webhook with extra query parameters', () => [`${server.url}/rest/1/sandbox/${ITEMS_GET}?x=1&ts=2`, { method: 'POST', headers: json, body: '{"id":1}' }]],
    ['webhook GET with the parameters in the query', () => [`${server.url}/rest/1/sandbox/${ITEMS_GET}?id=1`, { method: 'GET' }]],
    [
      'webhook with a form body',
      () => [`${server.url}/rest/1/sandbox/${ITEMS_GET}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'id=1' }],
    ],
    ['OAuth /rest/method, auth in the body', () => [`${server.url}/rest/${ITEMS_GET}`, { method: 'POST', headers: json, body: '{"id":1,"auth":"t"}' }]],
    ['OAuth /rest/method, auth in the query', () => [`${server.url}/rest/${ITEMS_GET}.json?auth=t`, { method: 'POST', headers: json, body: '{"id":1}' }]],
    ['OAuth /rest//method (the official JS SDK)', () => [`${server.url}/rest//${ITEMS_GET}`, { method: 'POST', headers: json, body: '{"id":1,"auth":"t"}' }]],
    ['OAuth GET', () => [`${server.url}/rest/${ITEMS_GET}?id=1&auth=t`, { method: 'GET' }]],
    [
      'OAuth form body',
      () => [`${server.url}/rest/${ITEMS_GET}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'id=1&auth=t' }],
    ],
  ];

  it.each(forms)('%s is answered like any other form', async (_name, request) => {
    server.reset();
    const [url, init] = request();
    const answer = await send(url, init, ITEMS_GET);
    expect(answer.status).toBe(200);
    expect(answer.body.result).toEqual(SEEDED_LINKS);
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  it('takes items with gaps in their indexes (items[3], items[7]) as a list, as PHP walks them', async () => {
    server.reset();
    const body = 'id=2&items[3][CONTACT_ID]=1020&items[7][CONTACT_ID]=1011&items[7][IS_PRIMARY]=Y';
    const answer = await send(
      `${server.webhookUrl}crm.lead.contact.items.set`,
      { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body },
      'crm.lead.contact.items.set',
    );
    expect(answer.body.result).toBe(true);
    expect(server.lead(2)?.contacts.map((link) => link.CONTACT_ID)).toEqual([1020, 1011]);
  });

  it('decodes an indexed form body (items[0][CONTACT_ID]) as items.set needs it', async () => {
    server.reset();
    const body = 'id=2&items[0][CONTACT_ID]=1020&items[1][CONTACT_ID]=1011&items[1][IS_PRIMARY]=Y';
    const answer = await send(
      `${server.webhookUrl}crm.lead.contact.items.set`,
      { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body },
      'crm.lead.contact.items.set',
    );
    expect(answer.body.result).toBe(true);
    expect(server.lead(2)?.contacts).toEqual([
      { CONTACT_ID: 1020, SORT: 10, IS_PRIMARY: 'N' },
      { CONTACT_ID: 1011, SORT: 20, IS_PRIMARY: 'Y' },
    ]);
  });

  it('answers HEAD with the status and headers only', async () => {
    const answer = await send(`${server.webhookUrl}${ITEMS_GET}?id=1`, { method: 'HEAD' });
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('');
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  it('answers a path that is no method with 404 ERROR_METHOD_NOT_FOUND', async () => {
    for (const path of ['/', '/rest/', '/rest/1/sandbox/', '/crm.lead.contact.add', '/rest/1/sandbox/no.such.method', '/favicon.ico']) {
      const answer = await send(`${server.url}${path}`, { method: 'POST' });
      expect([path, answer.status, answer.body.error]).toEqual([path, 404, 'ERROR_METHOD_NOT_FOUND']);
      expectContractAnswer(undefined, answer.status, answer.body);
    }
  });

  it('answers an HTTP method other than GET, HEAD and POST with 405', async () => {
    const answer = await send(`${server.webhookUrl}${ITEMS_GET}`, { method: 'PUT', body: '{"id":1}' }, ITEMS_GET);
    expect([answer.status, answer.body.error]).toEqual([405, 'ERROR_METHOD_NOT_ALLOWED']);
  });

  it('allows any origin: answers carry access-control-allow-origin *, preflights get 204', async () => {
    const answer = await postJson(`${server.webhookUrl}${ITEMS_GET}`, { id: 1 }, ITEMS_GET);
    expect(answer.headers.get('access-control-allow-origin')).toBe('*');
    const preflight = await fetch(`${server.webhookUrl}${ITEMS_GET}`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('content-type');
  });
});

describe('portals keyed by webhook code', () => {
  it("gives each webhook code its own state: parallel workers never see each other's links", async () => {
    const workers = Array.from({ length: 8 }, (_, i) => ({ code: `worker-${i}`, contact: [1010, 1011, 1020][i % 3]! }));
    const seen = await Promise.all(
      workers.map(async ({ code, contact }) => {
        const client = createBitrix24Client({ webhookUrl: `${server.url}/rest/1/${code}/`, allowInsecureHttp: true, retry: false });
        await client.crm.lead.contact.add({ id: 2, fields: { CONTACT_ID: contact } });
        return client.crm.lead.contact.items.get({ id: 2 });
      }),
    );
    seen.forEach((links, i) => expect(links).toEqual([{ CONTACT_ID: workers[i]!.contact, SORT: 10, ROLE_ID: 0, IS_PRIMARY: 'Y' }]));
    for (const { code, contact } of workers) {
      expect(
        server
          .portal(code)
          .lead(2)
          ?.contacts.map((link) => link.CONTACT_ID),
      ).toEqual([contact]);
      expect(server.portal(code).webhookUrl).toBe(`${server.url}/rest/1/${code}/`);
    }
  });

  it('keys by the code alone: another user id with the same code reaches the same portal', async () => {
    server.portal('shared-code').reset();
    await postJson(`${server.url}/rest/7/shared-code/crm.lead.contact.add`, { id: 2, fields: { CONTACT_ID: 1020 } }, 'crm.lead.contact.add');
    const answer = await postJson(`${server.url}/rest/1/shared-code/${ITEMS_GET}`, { id: 2 }, ITEMS_GET);
    expect(answer.body.result.map((link: { CONTACT_ID: number }) => link.CONTACT_ID)).toEqual([1020]);
  });

  it('sends an OAuth call to the portal its token was allowed on, any other token to the default portal', async () => {
    const worker = server.portal('oauth-worker');
    worker.reset({ leads: [{ id: 5, contacts: [1010] }], contacts: [1010] });
    server.reset();
    worker.allowToken('worker-token');
    const routed = await postJson(`${server.oauthUrl}${ITEMS_GET}`, { id: 5, auth: 'worker-token' }, ITEMS_GET);
    expect(routed.body.result).toEqual([{ CONTACT_ID: 1010, SORT: 10, ROLE_ID: 0, IS_PRIMARY: 'Y' }]);
    const other = await postJson(`${server.oauthUrl}${ITEMS_GET}`, { id: 5, auth: 'other-token' }, ITEMS_GET);
    expect([other.status, other.body.error]).toEqual([400, 'NOT_FOUND']);
    worker.expireToken('worker-token');
    const expired = await postJson(`${server.oauthUrl}${ITEMS_GET}?auth=worker-token`, { id: 5 }, ITEMS_GET);
    expect([expired.status, expired.body.error]).toEqual([401, 'expired_token']);
    worker.reset();
    const afterReset = await postJson(`${server.oauthUrl}${ITEMS_GET}`, { id: 1, auth: 'worker-token' }, ITEMS_GET);
    expect(afterReset.body.result).toEqual(SEEDED_LINKS);
  });

  it('caps the number of portals with a Bitrix24-shaped 403 that does not echo the code', async () => {
    const small = await startSandbox({ maxPortals: 2 });
    try {
      expect((await postJson(`${small.url}/rest/1/second/${ITEMS_GET}`, { id: 1 }, ITEMS_GET)).status).toBe(200);
      const refused = await postJson(`${small.url}/rest/1/third-secret-code/${ITEMS_GET}`, { id: 1 }, ITEMS_GET);
      expect([refused.status, refused.body.error]).toEqual([403, 'SANDBOX_PORTAL_LIMIT']);
      expect(refused.text).not.toContain('third-secret-code');
      expect((await postJson(`${small.webhookUrl}${ITEMS_GET}`, { id: 1 }, ITEMS_GET)).status).toBe(200);
    } finally {
      await small.close();
    }
  });
});

describe('request targets', () => {
  it('reads the absolute form a proxy sends (POST http://host/rest/… HTTP/1.1), admin routes included', async () => {
    for (const [target, expected] of [
      [`${server.url}/rest/1/sandbox/${ITEMS_GET}?id=1`, 200],
      [`${server.url}/__sandbox/state`, 200],
    ] as const) {
      const connection = new RawConnection(server.port);
      await connection.write(`GET ${target} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n`);
      const answer = await connection.answer();
      expect([target, answer.status]).toEqual([target, expected]);
      connection.destroy();
    }
  });
});
