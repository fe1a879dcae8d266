// The sandbox as an app's portal: event.* for apps only, deliveries posted to a real local handler
// from every path that changes a record, none for link changes, offline events, and the limits.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/node/sandbox-server.js';
import { PortalRegistry, type SandboxPortal } from '../../src/sandbox/portal-registry.js';
import { createSandbox, type SandboxOptions } from '../../src/sandbox/sandbox.js';
import type { RunningSandbox } from '../../src/sandbox/server-types.js';
import { type EventReceiver, startEventReceiver } from '../support/event-receiver.js';

let sandbox: RunningSandbox;
let receiver: EventReceiver;
let app: { access_token: string; application_token: string; member_id: string };
let appSeq = 0;

beforeAll(async () => {
  receiver = await startEventReceiver();
  sandbox = await startSandbox({ limits: { deliveryTimeoutMs: 500 } });
});
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});
beforeEach(() => {
  sandbox.reset();
  app = sandbox.installApp({ clientId: `local.events${++appSeq}`, clientSecret: 'events-secret' });
});

/** A REST call with the app's token, or (auth `null`) through the incoming webhook. */
const rest = async (method: string, params: Record<string, unknown>, auth: string | null = app.access_token) => {
  const url = auth === null ? `${sandbox.webhookUrl}${method}` : `${sandbox.url}/rest/${method}`;
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...params, ...(auth ? { auth } : {}) }),
  });
  return { status: response.status, body: await response.json() };
};
const bind = (event: string, path: string, extra: Record<string, unknown> = {}) => rest('event.bind', { event, handler: `${receiver.url}${path}`, ...extra });
const postsTo = (path: string) => receiver.posts.filter((post) => post.path === path);

describe('event.bind, event.get, event.unbind', () => {
  it('refuses an incoming webhook with 401 WRONG_AUTH_TYPE', async () => {
    expect(await rest('event.bind', { event: 'ONCRMLEADADD', handler: `${receiver.url}/x` }, null)).toMatchObject({
      status: 401,
      body: { error: 'WRONG_AUTH_TYPE' },
    });
  });

  it('binds once: the same handler again is 400 ERROR_CORE; event.get lists it; event.unbind counts what it removed', async () => {
    expect(await bind('onCrmLeadAdd', '/bind')).toMatchObject({ status: 200, body: { result: true } });
    expect(await bind('ONCRMLEADADD', '/bind')).toMatchObject({
      status: 400,
      body: { error: 'ERROR_CORE', error_description: 'Unable to set event handler: Handler already binded' },
    });
    expect((await rest('event.get', {})).body.result).toEqual([{ event: 'ONCRMLEADADD', handler: `${receiver.url}/bind`, auth_type: '0', offline: 0 }]);
    expect((await rest('event.unbind', { event: 'ONCRMLEADADD', handler: `${receiver.url}/bind` })).body.result).toEqual({ count: 1 });
    expect((await rest('event.unbind', { event: 'ONCRMLEADADD', handler: `${receiver.url}/bind` })).body.result).toEqual({ count: 0 });
  });

  it.each([
    ['an unknown event', { event: 'ONCRMDEALADD', handler: 'http://127.0.0.1/x' }, 'ERROR_EVENT_NOT_FOUND'],
    ['a host without a dot', { event: 'ONCRMLEADADD', handler: 'http://localhost/x' }, 'ERROR_WRONG_HANDLER_URL'],
    ['another scheme', { event: 'ONCRMLEADADD', handler: 'ftp://127.0.0.1/x' }, 'ERROR_WRONG_HANDLER_URL'],
  ])('refuses %s', async (_case, params, error) => {
    expect(await rest('event.bind', params)).toMatchObject({ status: 400, body: { error } });
  });

  it('journals the handler with its path masked', async () => {
    await bind('ONCRMLEADADD', '/secret-path-123');
    expect(JSON.stringify(sandbox.calls)).not.toContain('secret-path-123');
  });
});

describe('deliveries', () => {
  it('posts ONCRMLEADADD as a form with text values and the app token of the portal', async () => {
    await bind('ONCRMLEADADD', '/add');
    const { body } = await rest('crm.lead.add', { fields: { TITLE: 'From the web' } });
    const post = await receiver.next((p) => p.path === '/add' && p.form['data[FIELDS][ID]'] === String(body.result));
    expect(post.contentType).toBe('application/x-www-form-urlencoded');
    expect(post.form).toMatchObject({
      event: 'ONCRMLEADADD',
      event_handler_id: expect.stringMatching(/^\d+$/),
      ts: expect.stringMatching(/^\d+$/),
      'auth[application_token]': app.application_token,
      'auth[member_id]': app.member_id,
      'auth[domain]': new URL(sandbox.url).host,
      'auth[access_token]': expect.stringMatching(/^[0-9a-f]{32}$/),
      'auth[user_id]': '1',
    });
    expect(post.form).not.toHaveProperty('data[FIELDS][TITLE]');
  });

  it('fires for each record change inside a batch, and once per record and event within one request', async () => {
    await bind('ONCRMCONTACTADD', '/batch');
    await bind('ONCRMCONTACTUPDATE', '/batch');
    await rest('batch', {
      cmd: {
        a: 'crm.contact.add?fields[NAME]=A',
        b: 'crm.contact.add?fields[NAME]=B',
        u1: 'crm.contact.update?id=1010&fields[NAME]=X',
        u2: 'crm.contact.update?id=1010&fields[NAME]=Y',
      },
    });
    await sandbox.deliveriesIdle();
    expect(
      postsTo('/batch')
        .map((p) => p.form.event)
        .sort(),
    ).toEqual(['ONCRMCONTACTADD', 'ONCRMCONTACTADD', 'ONCRMCONTACTUPDATE']);
  });

  it('links and unlinks fire nothing; crm.lead.update with CONTACT_IDS fires ONCRMLEADUPDATE (inferred)', async () => {
    await bind('ONCRMLEADUPDATE', '/links');
    await bind('ONCRMCONTACTUPDATE', '/links');
    await rest('crm.lead.contact.add', { id: 2, fields: { CONTACT_ID: 1020 } });
    await rest('crm.lead.contact.items.set', { id: 1, items: [{ CONTACT_ID: 1011 }] });
    await rest('crm.lead.contact.delete', { id: 2, fields: { CONTACT_ID: 1020 } });
    await rest('crm.lead.contact.items.delete', { id: 1 });
    await sandbox.deliveriesIdle();
    expect(postsTo('/links')).toEqual([]);
    await rest('crm.lead.update', { id: 2, fields: { CONTACT_IDS: [1010] } });
    await sandbox.deliveriesIdle();
    expect(postsTo('/links').map((p) => [p.form.event, p.form['data[FIELDS][ID]']])).toEqual([['ONCRMLEADUPDATE', '2']]);
  });

  it('deleting a contact fires ONCRMCONTACTDELETE only, not an update of its leads (inferred)', async () => {
    await bind('ONCRMLEADUPDATE', '/delete');
    await bind('ONCRMCONTACTDELETE', '/delete');
    await rest('crm.contact.delete', { id: 1010 });
    await sandbox.deliveriesIdle();
    expect(postsTo('/delete').map((p) => p.form.event)).toEqual(['ONCRMCONTACTDELETE']);
  });

  it('posts ONAPPINSTALL with the first tokens to the installer handler', async () => {
    const installed = sandbox.installApp({ clientId: 'local.installer', clientSecret: 's', handler: `${receiver.url}/install` });
    const post = await receiver.next((p) => p.path === '/install');
    expect(post.form).toMatchObject({
      event: 'ONAPPINSTALL',
      'data[INSTALLED]': 'Y',
      'auth[application_token]': installed.application_token,
      'auth[refresh_token]': installed.refresh_token,
      'auth[member_id]': installed.member_id,
    });
  });

  it('answers the REST call before a hung handler answers; the post ends as a timeout in the log', async () => {
    receiver.hang('/hung');
    await bind('ONCRMLEADADD', '/hung');
    const answer = await rest('crm.lead.add', { fields: { TITLE: 'x' } });
    expect(answer.status).toBe(200);
    await receiver.next((p) => p.path === '/hung');
    await sandbox.deliveriesIdle();
    expect(sandbox.deliveries.at(-1)).toMatchObject({ event: 'ONCRMLEADADD', outcome: 'timeout' });
  });

  it.each([
    ['an address beyond loopback', 'http://192.0.2.1/x', 'refused'],
    ['a closed port', 'http://127.0.0.1:1/x', 'failed'],
  ])('does not deliver to %s, and logs the outcome without the path', async (_case, handler, outcome) => {
    await rest('event.bind', { event: 'ONCRMLEADDELETE', handler });
    await rest('crm.lead.delete', { id: 2 });
    await sandbox.deliveriesIdle();
    const attempt = sandbox.deliveries.at(-1)!;
    expect(attempt).toMatchObject({ event: 'ONCRMLEADDELETE', outcome, id: '2' });
    expect(JSON.stringify(attempt)).not.toContain('/x');
  });

  it('pages the delivery log at GET /__sandbox/deliveries without tokens or paths', async () => {
    await bind('ONCRMCONTACTADD', '/paged-secret');
    await rest('crm.contact.add', { fields: { NAME: 'A' } });
    await rest('crm.contact.add', { fields: { NAME: 'B' } });
    await sandbox.deliveriesIdle();
    const page = await (await fetch(`${sandbox.url}/__sandbox/deliveries?limit=1`)).json();
    expect(page).toMatchObject({ result: [{ event: 'ONCRMCONTACTADD', outcome: 'delivered', status: 200 }], next: 1, total: 2 });
    const text = JSON.stringify(page);
    expect(text).not.toContain('paged-secret');
    expect(text).not.toContain(app.application_token);
  });
});

describe('offline events', () => {
  it('keeps the latest row per object; reserves with clear=0, returns it again by process_id, deletes on event.offline.clear', async () => {
    expect(await rest('event.bind', { event: 'ONCRMLEADUPDATE', event_type: 'offline' })).toMatchObject({ status: 200 });
    await rest('crm.lead.update', { id: 2, fields: { TITLE: 'one' } });
    await rest('crm.lead.update', { id: 2, fields: { TITLE: 'two' } });
    const first = (await rest('event.offline.get', { clear: 0 })).body.result;
    expect(first.events).toMatchObject([{ EVENT_NAME: 'ONCRMLEADUPDATE', EVENT_DATA: { FIELDS: { ID: 2 } } }]);
    expect(first.process_id).toMatch(/^[0-9a-f]{32}$/);
    const again = (await rest('event.offline.get', { clear: 0, process_id: first.process_id })).body.result;
    expect(again.events.map((e: { ID: string }) => e.ID)).toEqual([first.events[0].ID]);
    expect((await rest('event.offline.list', {})).body).toMatchObject({ total: 1, result: [{ PROCESS_ID: first.process_id }] });
    expect((await rest('event.offline.clear', { process_id: first.process_id })).body.result).toBe(true);
    expect((await rest('event.offline.list', {})).body.total).toBe(0);
  });

  it('raises nothing for a change a cap refused: the portal stays as it was', async () => {
    // A refused add is stored, measured after the merge and removed again (record-caps.ts).
    const capped = createSandbox({ seed: { leads: [], contacts: [] }, limits: { maxPortalBytes: 4096 } });
    const { access_token: auth } = capped.installApp({ clientId: 'local.capped', clientSecret: 'capped-secret' });
    const call = async (method: string, params: Record<string, unknown>) => {
      const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...params, auth }) };
      const response = await capped.fetch(`https://capped.bitrix24.test/rest/${method}`, init);
      return { status: response.status, body: await response.json() };
    };
    await call('event.bind', { event: 'ONCRMLEADADD', event_type: 'offline' });
    const adds = [await call('crm.lead.add', { fields: { TITLE: 'a'.repeat(2500) } }), await call('crm.lead.add', { fields: { TITLE: 'b'.repeat(2500) } })];
    expect(adds.map((add) => add.status)).toEqual([200, 400]);
    const { events } = (await call('event.offline.get', {})).body.result;
    expect(events.map((event: { EVENT_DATA: { FIELDS: { ID: number } } }) => event.EVENT_DATA.FIELDS.ID)).toEqual([adds[0]!.body.result]);
  });

  it('deletes on read with clear=1 (the default)', async () => {
    await rest('event.bind', { event: 'ONCRMCONTACTADD', event_type: 'offline' });
    await rest('crm.contact.add', { fields: { NAME: 'A' } });
    expect((await rest('event.offline.get', {})).body.result).toMatchObject({ process_id: null, events: [{ EVENT_NAME: 'ONCRMCONTACTADD' }] });
    expect((await rest('event.offline.get', {})).body.result.events).toEqual([]);
  });
});

describe("the server's app stores share limits.maxServerAppBytes", () => {
  // In-process portals of one server (no HTTP): each case builds its own small budget.
  const server = (maxServerAppBytes: number, options: Partial<SandboxOptions> = {}) =>
    new PortalRegistry({ seed: { leads: [], contacts: [] }, limits: { maxServerAppBytes }, ...options }, 10, (key) => `https://budget.test/rest/1/${key}/`);
  const app = (portal: SandboxPortal) => {
    const { access_token } = portal.installApp({ clientId: `local.${portal.key}`, clientSecret: 'budget-secret' });
    const call = async (method: string, params: Record<string, unknown>, auth = access_token) => {
      const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...params, auth }) };
      const response = await portal.fetch(`https://budget.test/rest/${method}`, init);
      return { status: response.status, body: await response.json() };
    };
    return { call, token: access_token };
  };
  const addLeads = async (call: ReturnType<typeof app>['call'], count: number) => {
    const ids: number[] = [];
    for (let i = 0; i < count; i++) ids.push((await call('crm.lead.add', { fields: { TITLE: `lead ${i}` } })).body.result);
    return ids;
  };
  const offlineIds = async (call: ReturnType<typeof app>['call']) =>
    (await call('event.offline.list', {})).body.result.map((row: { EVENT_DATA: { FIELDS: { ID: number } } }) => row.EVENT_DATA.FIELDS.ID);

  it('drops offline rows oldest first on the portal that adds one past the budget, and takes rows again once a portal is removed', async () => {
    const registry = server(8000);
    const a = app(registry.portal('a'));
    const b = app(registry.portal('b'));
    await a.call('event.bind', { event: 'ONCRMLEADADD', event_type: 'offline' });
    await b.call('event.bind', { event: 'ONCRMLEADADD', event_type: 'offline' });
    const aIds = await addLeads(a.call, 3);
    expect(await offlineIds(a.call)).toEqual(aIds);
    const bIds = await addLeads(b.call, 5);
    const bKept = await offlineIds(b.call);
    expect(bKept.length).toBeLessThan(5);
    expect(bKept).toEqual(bIds.slice(-bKept.length));
    aIds.push(...(await addLeads(a.call, 1)));
    const aKept = await offlineIds(a.call);
    expect(aKept.length).toBeLessThan(4);
    expect(aKept).toEqual(aIds.slice(-aKept.length));
    registry.remove('b');
    aIds.push(...(await addLeads(a.call, 1)));
    expect(await offlineIds(a.call)).toEqual([...aKept, aIds.at(-1)]);
  });

  it("stops the oldest token of the portal that is issued one past the budget; other portals' tokens keep working", async () => {
    const registry = server(3000, { auth: { tokens: [] } });
    const a = registry.portal('a');
    const first = app(a);
    const b = app(registry.portal('b'));
    for (let i = 0; i < 5; i++) registry.portal('b').issueTokens('local.b');
    const latest = a.issueTokens('local.a').access_token;
    expect((await first.call('event.get', {})).body).toMatchObject({ error: 'NO_AUTH_FOUND' });
    expect((await first.call('event.get', {}, latest)).status).toBe(200);
    expect((await b.call('event.get', {}, registry.portal('b').issueTokens('local.b').access_token)).status).toBe(200);
  });

  it('refuses event.bind past the budget with the cap named, and binds again once one is unbound', async () => {
    const registry = server(6000);
    const { call } = app(registry.portal('a'));
    const bindTo = (i: number) => call('event.bind', { event: 'ONCRMLEADADD', handler: `http://handler.test/${'x'.repeat(500)}/${i}` });
    let refused: Awaited<ReturnType<typeof bindTo>> | undefined;
    let bound = 0;
    while (!refused && bound < 50) {
      const answer = await bindTo(bound);
      if (answer.status === 200) bound++;
      else refused = answer;
    }
    expect(refused?.body).toMatchObject({ error: 'SANDBOX_HANDLER_LIMIT', error_description: expect.stringContaining('limits.maxServerAppBytes') });
    await call('event.unbind', { event: 'ONCRMLEADADD', handler: `http://handler.test/${'x'.repeat(500)}/0` });
    expect((await bindTo(bound)).status).toBe(200);
  });

  it('drops a delivery that does not fit, logged as dropped with the cap named', async () => {
    // Posts are held until released, so what the request queued is still charged when the log is read.
    const held: Array<() => void> = [];
    let open = false;
    const delivered = { outcome: 'delivered' as const, status: 200 };
    const deliver = () => (open ? Promise.resolve(delivered) : new Promise<typeof delivered>((resolve) => held.push(() => resolve(delivered))));
    const registry = server(8000, { deliver });
    const portal = registry.portal('a');
    const { call } = app(portal);
    await call('event.bind', { event: 'ONCRMLEADADD', handler: 'http://handler.test/add' });
    const cmd = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`add${i}`, `crm.lead.add?fields[TITLE]=lead${i}`]));
    expect((await call('batch', { cmd })).status).toBe(200);
    // Waiting for idle lets the held posts go: their bodies are built, and the caps checked, on the next turn.
    const idle = portal.deliveriesIdle();
    await new Promise((resolve) => setImmediate(resolve));
    expect(portal.deliveries.find((attempt) => attempt.outcome === 'dropped')?.reason).toContain('limits.maxServerAppBytes');
    open = true;
    for (const release of held) release();
    await idle;
    // Every one of the ten has its outcome: the last attempt logged is the tenth.
    expect(portal.deliveries.at(-1)?.seq).toBe(10);
  });
});
