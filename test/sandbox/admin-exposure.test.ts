// Issue 16 #7 and #9c: who may drive the admin API of a sandbox server, over HTTP. The Chromium
// side (a page of another loopback origin) is in test/browser/admin-exposure.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminExposure, checkAdminToken, isLoopback, refuseAdmin } from '../../src/node/admin-exposure.js';
import { startSandbox, type RunningSandbox } from '../../src/node/sandbox.js';
import { expectContractAnswer, postJson, send } from '../support/contract-answer.js';
import { RawConnection } from '../support/raw-http.js';

const ITEMS_GET = 'crm.lead.contact.items.get';
const TOKEN = 'a-test-admin-token-0123456789';

let server: RunningSandbox;
beforeAll(async () => {
  server = await startSandbox();
});
afterAll(() => server.close());

/** Sends one raw admin request with exactly these headers (fetch would set Host itself). */
async function rawAdmin(port: number, request: string) {
  const connection = new RawConnection(port);
  try {
    await connection.write(request);
    const answer = await connection.answer();
    if (answer.status >= 400) expectContractAnswer(undefined, answer.status, answer.body);
    return answer;
  } finally {
    connection.destroy();
  }
}

describe('isLoopback', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.5', false],
    ['127.0.0.1.example.com', false],
    ['128.0.0.1', false],
    ['localhost.example', false],
  ])('%s is loopback: %s', (host, expected) => {
    expect(isLoopback(host)).toBe(expected);
  });
});

describe('refuseAdmin (the policy)', () => {
  const loopback = adminExposure('127.0.0.1', 4040);
  const exposed = adminExposure('0.0.0.0', 4040, TOKEN);
  const cases: Array<[string, Record<string, string>, typeof loopback, string | undefined]> = [
    ['a terminal on loopback', { host: '127.0.0.1:4040' }, loopback, undefined],
    ['localhost and [::1] name this server too', { host: 'LOCALHOST:4040' }, loopback, undefined],
    ['IPv6 loopback', { host: '[::1]:4040' }, loopback, undefined],
    ['a typed URL in the browser (Sec-Fetch-Site none)', { host: 'localhost:4040', 'sec-fetch-site': 'none' }, loopback, undefined],
    ['a page of this very origin', { host: 'localhost:4040', origin: 'http://localhost:4040', 'sec-fetch-site': 'same-origin' }, loopback, undefined],
    ['a rebound DNS name for 127.0.0.1', { host: 'attacker.example:4040' }, loopback, 'SANDBOX_HOST_REFUSED'],
    ['another port', { host: '127.0.0.1:4041' }, loopback, 'SANDBOX_HOST_REFUSED'],
    ['no port (80)', { host: '127.0.0.1' }, loopback, 'SANDBOX_HOST_REFUSED'],
    ['no Host at all', {}, loopback, 'SANDBOX_HOST_REFUSED'],
    ['a page of another loopback port', { host: '127.0.0.1:4040', origin: 'http://127.0.0.1:5173' }, loopback, 'SANDBOX_CROSS_ORIGIN'],
    ['a same-site page (ports differ, site does not)', { host: '127.0.0.1:4040', 'sec-fetch-site': 'same-site' }, loopback, 'SANDBOX_CROSS_ORIGIN'],
    ['a cross-site navigation without Origin', { host: '127.0.0.1:4040', 'sec-fetch-site': 'cross-site' }, loopback, 'SANDBOX_CROSS_ORIGIN'],
    ['an opaque origin (sandboxed frame, file://)', { host: '127.0.0.1:4040', origin: 'null' }, loopback, 'SANDBOX_CROSS_ORIGIN'],
    ['beyond loopback without the token', { host: 'sandbox:4040' }, exposed, 'SANDBOX_TOKEN_REQUIRED'],
    ['beyond loopback with a wrong token', { host: 'sandbox:4040', 'x-sandbox-token': `${TOKEN}x` }, exposed, 'SANDBOX_TOKEN_INVALID'],
    ['beyond loopback with X-Sandbox-Token, any Host', { host: 'sandbox:4040', 'x-sandbox-token': TOKEN }, exposed, undefined],
    ['beyond loopback with Authorization: Bearer', { host: '10.0.0.7:4040', authorization: `Bearer ${TOKEN}` }, exposed, undefined],
    [
      'beyond loopback, a page of another origin with the token',
      { host: 'sandbox:4040', origin: 'http://evil', 'x-sandbox-token': TOKEN },
      exposed,
      'SANDBOX_CROSS_ORIGIN',
    ],
    ['a token given on loopback is required', { host: '127.0.0.1:4040' }, adminExposure('127.0.0.1', 4040, TOKEN), 'SANDBOX_TOKEN_REQUIRED'],
  ];
  it.each(cases)('%s', (_name, headers, exposure, refusal) => {
    const error = refuseAdmin(headers, exposure);
    expect(error?.code).toBe(refusal);
    if (error) expect(error.message).not.toContain(TOKEN);
  });

  it('needs a token to listen beyond loopback', () => {
    expect(() => adminExposure('0.0.0.0', 4040)).toThrow(/needs an admin token/);
  });

  it.each([['short'], ['with a space in it, long enough'], [''], [42]])('refuses the admin token %j, naming the rule', (token) => {
    expect(() => checkAdminToken(token)).toThrow(/adminToken must be 16 to 512 visible ASCII characters without spaces/);
  });
});

describe('the admin API over HTTP on loopback', () => {
  it('regression (issue 16 #7): admin answers carry no access-control-allow-origin, the Bitrix24 routes keep theirs', async () => {
    const admin = await send(`${server.adminUrl}calls`);
    expect(admin.status).toBe(200);
    expect(admin.headers.get('access-control-allow-origin')).toBeNull();
    expect(admin.headers.get('x-content-type-options')).toBe('nosniff');
    expect(admin.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    const rest = await postJson(`${server.webhookUrl}${ITEMS_GET}`, { id: 1 }, ITEMS_GET);
    expect(rest.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('regression (issue 16 #7): refuses a preflight and a text/plain POST from another origin, before touching the portal', async () => {
    const victim = server.portal('victim-http');
    victim.reset({ leads: [{ id: 9, contacts: [90] }], contacts: [90] });
    const preflight = await fetch(`${server.adminUrl}portal?portal=victim-http`, {
      method: 'OPTIONS',
      headers: { origin: 'http://127.0.0.1:5173', 'access-control-request-method': 'DELETE' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.status).toBe(403);
    const seed = await send(`${server.adminUrl}seed?portal=victim-http`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: 'http://127.0.0.1:5173', 'sec-fetch-site': 'same-site' },
      body: '{"leads":[],"contacts":[]}',
    });
    expect([seed.status, seed.body.error]).toEqual([403, 'SANDBOX_CROSS_ORIGIN']);
    expect(seed.headers.get('access-control-allow-origin')).toBeNull();
    expect(victim.lead(9)).toBeDefined();
  });

  it('regression (issue 16 #7): answers 403 SANDBOX_HOST_REFUSED to a Host that does not name this server (DNS rebinding)', async () => {
    const answer = await rawAdmin(server.port, `GET /__sandbox/calls HTTP/1.1\r\nhost: rebind.attacker.example:${server.port}\r\nconnection: close\r\n\r\n`);
    expect([answer.status, answer.body.error]).toEqual([403, 'SANDBOX_HOST_REFUSED']);
    expect(answer.body.error_description).toContain(`localhost:${server.port}`);
    const own = await rawAdmin(server.port, `GET /__sandbox/calls HTTP/1.1\r\nhost: localhost:${server.port}\r\nconnection: close\r\n\r\n`);
    expect(own.status).toBe(200);
    // The Bitrix24 routes are open to every origin anyway, so no Host is refused there.
    const rest = await rawAdmin(server.port, `GET /rest/1/sandbox/${ITEMS_GET}?id=1 HTTP/1.1\r\nhost: rebind.attacker.example\r\nconnection: close\r\n\r\n`);
    expect(rest.status).toBe(200);
  });

  it('reads an admin path reached through dot segments with the same checks', async () => {
    const answer = await rawAdmin(server.port, `GET /rest/../__sandbox/calls HTTP/1.1\r\nhost: evil.example:${server.port}\r\nconnection: close\r\n\r\n`);
    expect([answer.status, answer.body.error]).toEqual([403, 'SANDBOX_HOST_REFUSED']);
  });

  it('requires a token given on loopback too', async () => {
    const guarded = await startSandbox({ adminToken: TOKEN });
    try {
      expect(guarded.adminToken).toBe(TOKEN);
      const without = await send(`${guarded.adminUrl}state`);
      expect([without.status, without.body.error]).toEqual([401, 'SANDBOX_TOKEN_REQUIRED']);
      expect((await send(`${guarded.adminUrl}state`, { headers: { 'x-sandbox-token': TOKEN } })).status).toBe(200);
      expect((await postJson(`${guarded.webhookUrl}${ITEMS_GET}`, { id: 1 }, ITEMS_GET)).status).toBe(200);
    } finally {
      await guarded.close();
    }
  });

  it('refuses a bad adminToken option, naming it', async () => {
    await expect(startSandbox({ adminToken: 'short' })).rejects.toThrow(/adminToken must be 16 to 512 visible ASCII characters/);
  });
});

describe('the admin API beyond loopback', () => {
  it('regression (issue 16 #7): makes up a token when listening on 0.0.0.0 and requires it, as X-Sandbox-Token or Bearer', async () => {
    const exposed = await startSandbox({ host: '0.0.0.0' });
    try {
      const token = exposed.adminToken!;
      expect(token).toMatch(/^[\w-]{32}$/);
      const url = `http://127.0.0.1:${exposed.port}/__sandbox/state`;
      const without = await send(url);
      expect([without.status, without.body.error]).toEqual([401, 'SANDBOX_TOKEN_REQUIRED']);
      const wrong = await send(url, { headers: { 'x-sandbox-token': `${token}-wrong` } });
      expect([wrong.status, wrong.body.error]).toEqual([401, 'SANDBOX_TOKEN_INVALID']);
      expect(wrong.text).not.toContain(token);
      expect((await send(url, { headers: { 'x-sandbox-token': token } })).status).toBe(200);
      expect((await send(url, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      // Any Host is fine with the token: a container reaches the server under its service name.
      const named = await rawAdmin(
        exposed.port,
        `GET /__sandbox/state HTTP/1.1\r\nhost: sandbox:4040\r\nx-sandbox-token: ${token}\r\nconnection: close\r\n\r\n`,
      );
      expect(named.status).toBe(200);
      // The Bitrix24 routes need no token.
      expect((await postJson(`http://127.0.0.1:${exposed.port}/rest/1/sandbox/${ITEMS_GET}`, { id: 1 }, ITEMS_GET)).status).toBe(200);
    } finally {
      await exposed.close();
    }
  });

  it('has no token on loopback unless one is given', () => {
    expect(server.adminToken).toBeUndefined();
  });
});

describe('read-only admin calls of unknown portals', () => {
  it('regression (issue 16 #9c): 1,000 reads of ?portal=junkN create no portal, and a real worker is not refused', async () => {
    const small = await startSandbox({ maxPortals: 3 });
    try {
      const before = (await send(small.adminUrl)).body.result.portals;
      for (let i = 0; i < 1000; i++) {
        const route = ['calls', 'state', 'leads/1', 'contacts/1010'][i % 4];
        const answer = await send(`${small.adminUrl}${route}?portal=junk${i}`);
        expect([route, answer.status]).toEqual([route, 200]);
      }
      expect((await send(`${small.adminUrl}calls?portal=junk-delete`, { method: 'DELETE' })).status).toBe(200);
      expect((await send(small.adminUrl)).body.result.portals).toBe(before);
      const worker = await postJson(`${small.url}/rest/1/real-worker/${ITEMS_GET}`, { id: 1 }, ITEMS_GET);
      expect(worker.status).toBe(200);
    } finally {
      await small.close();
    }
  });

  it('answers a read of an unknown portal as a fresh portal would: the seed and an empty journal', async () => {
    const state = await send(`${server.adminUrl}state?portal=never-used`);
    expect(state.body.result).toEqual(server.portal('fresh-for-comparison').snapshot());
    expect((await send(`${server.adminUrl}calls?portal=never-used`)).body.result).toEqual([]);
  });

  it('still creates the portal on a write, so a suite can seed it before its first call', async () => {
    const seed = await postJson(`${server.adminUrl}seed?portal=seeded-first`, { leads: [3], contacts: [30] });
    expect(seed.status).toBe(200);
    expect((await send(`${server.adminUrl}leads/3?portal=seeded-first`)).status).toBe(200);
  });
});
