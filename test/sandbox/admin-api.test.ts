import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SEED, startSandbox, type RunningSandbox } from '../../src/node/sandbox.js';
import { expectContractAnswer, postJson, send } from '../support/contract-answer.js';

const ADD = 'crm.lead.contact.add';
const ITEMS_GET = 'crm.lead.contact.items.get';

let server: RunningSandbox;
beforeAll(async () => {
  server = await startSandbox();
});
afterAll(() => server.close());

/** Calls an admin route; errors must be in Bitrix24's shape. */
async function admin(method: string, route: string, body?: unknown) {
  const answer = await send(`${server.url}/__sandbox/${route}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  if (answer.status >= 400) expectContractAnswer(undefined, answer.status, answer.body);
  return answer;
}

const call = (code: string, method: string, params: unknown) => postJson(`${server.url}/rest/1/${code}/${method}`, params, method);

beforeEach(() => {
  server.reset(DEFAULT_SEED);
  server.portal('admin-a').reset(DEFAULT_SEED);
});

describe('GET /__sandbox/', () => {
  it('lists the routes and the portal count', async () => {
    const answer = await admin('GET', '');
    expect(answer.status).toBe(200);
    expect(answer.body.result.defaultPortal).toBe('sandbox');
    expect(answer.body.result.portals).toBeGreaterThanOrEqual(2);
    expect(answer.body.result.routes).toContainEqual(expect.objectContaining({ method: 'POST', path: '/__sandbox/faults' }));
  });
});

describe('POST /__sandbox/reset', () => {
  it('puts the portal named by ?portal= back to its seed, leaving other portals alone', async () => {
    await call('admin-a', ADD, { id: 2, fields: { CONTACT_ID: 1020 } });
    await call('sandbox', ADD, { id: 2, fields: { CONTACT_ID: 1020 } });
    expect((await admin('POST', 'reset?portal=admin-a')).body).toEqual({ result: true });
    expect((await call('admin-a', ITEMS_GET, { id: 2 })).body.result).toEqual([]);
    expect(server.lead(2)?.contacts.map((link) => link.CONTACT_ID)).toEqual([1020]);
  });

  it('without ?portal= resets the default portal', async () => {
    await call('sandbox', ADD, { id: 2, fields: { CONTACT_ID: 1020 } });
    await admin('POST', 'reset');
    expect(server.lead(2)?.contacts).toEqual([]);
  });
});

describe('POST /__sandbox/seed', () => {
  it('replaces the seed and resets to it; a later reset returns to the new seed', async () => {
    const seed = { leads: [{ id: 7, fields: { TITLE: 'Seeded' }, contacts: [{ CONTACT_ID: 70, IS_PRIMARY: 'Y' }] }], contacts: [70, 71] };
    expect((await admin('POST', 'seed?portal=admin-a', seed)).body).toEqual({ result: true });
    await call('admin-a', ADD, { id: 7, fields: { CONTACT_ID: 71 } });
    await admin('POST', 'reset?portal=admin-a');
    expect((await call('admin-a', ITEMS_GET, { id: 7 })).body.result).toEqual([{ CONTACT_ID: 70, SORT: 10, ROLE_ID: 0, IS_PRIMARY: 'Y' }]);
    expect((await call('admin-a', ITEMS_GET, { id: 1 })).body.error).toBe('NOT_FOUND');
  });

  it('refuses a seed that breaks a rule with 400 naming the field', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ leads: [0] }, /leads\[0\] must be a positive integer/],
      [{ leads: [{ id: 1, contacts: [{ CONTACT_ID: 'x' }] }] }, /leads\[0\]\.contacts\[0\]\.CONTACT_ID must be a positive integer/],
      [{ contacts: [1, 1] }, /contacts\[1\]: id 1 appears twice/],
      [{ lead: [1] }, /unknown key "lead"/],
      ['[1]', /The seed must be a JSON object/],
      ['{', /not valid JSON/],
      [undefined, /needs a JSON body/],
      [{ contacts: Array.from({ length: 10_001 }, (_, i) => i + 1) }, /contacts holds 10001 records; at most 10000 are accepted/],
    ];
    for (const [seed, message] of cases) {
      const answer = await admin('POST', 'seed', seed);
      expect([answer.status, answer.body.error_description]).toEqual([400, expect.stringMatching(message)]);
    }
  });
});

describe('GET and DELETE /__sandbox/calls', () => {
  it('reads the journal of the portal, batch commands included, and empties it', async () => {
    await call('admin-a', ADD, { id: 2, fields: { CONTACT_ID: 1020 } });
    await call('admin-a', 'batch', { cmd: { g: 'crm.lead.contact.items.get?id=2' } });
    const journal = await admin('GET', 'calls?portal=admin-a');
    expect(journal.body.result.map((entry: { method: string; batchKey?: string }) => [entry.method, entry.batchKey])).toEqual([
      [ADD, undefined],
      [ITEMS_GET, 'g'],
      ['batch', undefined],
    ]);
    expect(journal.body.result[0]).toEqual({ method: ADD, params: { id: 2, fields: { CONTACT_ID: 1020 } }, status: 200, result: true });
    expect((await admin('DELETE', 'calls?portal=admin-a')).body).toEqual({ result: true });
    expect((await admin('GET', 'calls?portal=admin-a')).body.result).toEqual([]);
    expect(server.portal('admin-a').lead(2)?.contacts).toHaveLength(1); // the state stays
  });
});

describe('POST /__sandbox/faults', () => {
  it('makes the next N calls of a method fail with a documented error, then answers normally', async () => {
    expect((await admin('POST', 'faults?portal=admin-a', { method: ADD, fault: 'queryLimitExceeded', times: 2 })).body).toEqual({ result: true });
    for (let i = 0; i < 2; i++) {
      const failed = await call('admin-a', ADD, { id: 2, fields: { CONTACT_ID: 1020 } });
      expect([failed.status, failed.body.error]).toEqual([503, 'QUERY_LIMIT_EXCEEDED']);
    }
    expect((await call('admin-a', ADD, { id: 2, fields: { CONTACT_ID: 1020 } })).body.result).toBe(true);
    expect((await call('sandbox', ADD, { id: 2, fields: { CONTACT_ID: 1020 } })).body.result).toBe(true);
  });

  it('takes a custom status and error', async () => {
    await admin('POST', 'faults', { method: '*', fault: { status: 500, error: 'INTERNAL_SERVER_ERROR', error_description: 'Injected' } });
    const failed = await call('sandbox', ITEMS_GET, { id: 1 });
    expect([failed.status, failed.body]).toEqual([500, { error: 'INTERNAL_SERVER_ERROR', error_description: 'Injected' }]);
  });

  it('refuses a fault it cannot inject with 400 naming the rule', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ fault: 'queryLimitExceeded' }, /method must be a method name/],
      [{ method: ADD, fault: 'noSuchError' }, /Unknown documented error "noSuchError"; known: .*queryLimitExceeded/],
      [{ method: ADD, fault: { status: 200, error: 'X' } }, /status must be an HTTP error status/],
      [{ method: ADD, fault: 'queryLimitExceeded', times: 0 }, /times must be a positive integer/],
      [{ method: ADD, fault: 42 }, /fault must be the name of a documented error example/],
    ];
    for (const [body, message] of cases) {
      const answer = await admin('POST', 'faults', body);
      expect([answer.status, answer.body.error_description]).toEqual([400, expect.stringMatching(message)]);
    }
  });
});

describe('GET /__sandbox/state, /leads/{id}, /contacts/{id}', () => {
  it('shows the records and links of the portal', async () => {
    await call('admin-a', ADD, { id: 2, fields: { CONTACT_ID: 1020, SORT: 5 } });
    const state = await admin('GET', 'state?portal=admin-a');
    expect(state.body.result.leads.find((lead: { id: number }) => lead.id === 2).contacts).toEqual([{ CONTACT_ID: 1020, SORT: 5, IS_PRIMARY: 'Y' }]);
    expect(state.body.result.contacts.map((contact: { id: number }) => contact.id)).toEqual([1010, 1011, 1020]);
    expect((await admin('GET', 'leads/2?portal=admin-a')).body.result).toEqual(server.portal('admin-a').lead(2));
    expect((await admin('GET', 'contacts/1010?portal=admin-a')).body.result).toEqual(server.portal('admin-a').contact(1010));
  });

  it('answers an unknown or malformed record id with 404 or 400', async () => {
    const missing = await admin('GET', 'leads/999');
    expect([missing.status, missing.body.error]).toEqual([404, 'NOT_FOUND']);
    expect((await admin('GET', 'contacts/abc')).status).toBe(400);
  });
});

describe('POST /__sandbox/tokens/allow and /tokens/expire', () => {
  it('routes an allowed token to the portal and lets it expire there', async () => {
    const locked = await startSandbox({ auth: { tokens: ['known-token'] } });
    try {
      const get = (token: string) => postJson(`${locked.oauthUrl}${ITEMS_GET}`, { id: 1, auth: token }, ITEMS_GET);
      expect((await get('new-token')).body.error).toBe('NO_AUTH_FOUND');
      expect((await send(`${locked.adminUrl}tokens/allow`, { method: 'POST', body: '{"token":"new-token"}' })).body).toEqual({ result: true });
      expect((await get('new-token')).status).toBe(200);
      expect((await send(`${locked.adminUrl}tokens/expire`, { method: 'POST', body: '{"token":"new-token"}' })).body).toEqual({ result: true });
      expect((await get('new-token')).body.error).toBe('expired_token');
      const scoped = await send(`${locked.adminUrl}tokens/allow?portal=w2`, { method: 'POST', body: '{"token":"no-crm","scopes":["user"]}' });
      expect(scoped.status).toBe(200);
      expect((await get('no-crm')).body.error).toBe('insufficient_scope');
    } finally {
      await locked.close();
    }
  });

  it('refuses a body without a token', async () => {
    const answer = await admin('POST', 'tokens/allow', { scopes: ['crm'] });
    expect([answer.status, answer.body.error_description]).toEqual([400, expect.stringMatching(/non-empty token/)]);
  });
});

describe('DELETE /__sandbox/portal', () => {
  it('forgets a portal, which starts again from the seed on its next use', async () => {
    await call('admin-gone', ADD, { id: 2, fields: { CONTACT_ID: 1020 } });
    expect((await admin('DELETE', 'portal?portal=admin-gone')).body).toEqual({ result: true });
    expect((await call('admin-gone', ITEMS_GET, { id: 2 })).body.result).toEqual([]);
    expect((await admin('DELETE', 'portal')).status).toBe(400);
  });
});

describe('unknown admin routes', () => {
  it("answer 404 or 405 in Bitrix24's shape, pointing at the route list", async () => {
    const unknown = await admin('GET', 'nope');
    expect([unknown.status, unknown.body.error]).toEqual([404, 'ERROR_METHOD_NOT_FOUND']);
    expect(unknown.body.error_description).toContain('GET /__sandbox/');
    const wrongMethod = await admin('PUT', 'calls');
    expect([wrongMethod.status, wrongMethod.body.error]).toEqual([405, 'ERROR_METHOD_NOT_ALLOWED']);
  });

  it('cap the body like every other request', async () => {
    const answer = await admin('POST', 'seed', `{"leads":[${'1,'.repeat(3 * 1024 * 1024)}1]}`);
    expect([answer.status, answer.body.error]).toEqual([413, 'REQUEST_ENTITY_TOO_LARGE']);
  });
});
