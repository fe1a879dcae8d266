// examples/lead-events-app.ts against the sandbox over the wire: installed by the sandbox, bound,
// told of new leads, reading them back, refreshing its token, and refusing a forged delivery.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLeadEventsApp, type RecordedLead } from '../../examples/lead-events-app.js';
import { toNodeListener } from '../../src/node/event-listener.js';
import { startSandbox } from '../../src/node/sandbox-server.js';
import type { RunningSandbox } from '../../src/sandbox/server-types.js';

const CLIENT = { clientId: 'local.lead-events', clientSecret: 'lead-events-secret' };
let sandbox: RunningSandbox;
let server: Server;
let app: ReturnType<typeof createLeadEventsApp>;
let appUrl: string;
let installed: () => void;
const installedOnce = new Promise<void>((resolve) => {
  installed = resolve;
});
const waiting: Array<{ leadId: number; resolve: (lead: RecordedLead) => void }> = [];
const recordedLead = (leadId: number) =>
  new Promise<RecordedLead>((resolve) => {
    const done = app.recorded.find((lead) => lead.leadId === leadId);
    if (done) resolve(done);
    else waiting.push({ leadId, resolve });
  });

beforeAll(async () => {
  sandbox = await startSandbox();
  server = createServer((req, res) => toNodeListener(app.handler)(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/bitrix24/events`;
  app = createLeadEventsApp({
    ...CLIENT,
    handlerUrl: appUrl,
    oauthServer: sandbox.url,
    allowInsecureHttp: true,
    onInstalled: () => installed(),
    onRecorded: (lead) => {
      for (const waiter of waiting.filter((w) => w.leadId === lead.leadId)) waiter.resolve(lead);
    },
  });
  sandbox.installApp({ ...CLIENT, handler: appUrl });
  await installedOnce;
});
afterAll(async () => {
  await sandbox.close();
  await new Promise((resolve) => server.close(resolve));
});

const addLead = async (fields: Record<string, unknown>) => {
  const response = await fetch(`${sandbox.webhookUrl}crm.lead.add`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ fields }),
  });
  return (await response.json()).result as number;
};

describe('examples/lead-events-app.ts', () => {
  it('stores the application_token from ONAPPINSTALL and binds ONCRMLEADADD to its handler', async () => {
    expect(app.portals.get(sandbox.identity.member_id)?.applicationToken).toMatch(/^[0-9a-f]{32}$/);
    expect(sandbox.calls.some((call) => call.method === 'event.bind' && call.status === 200)).toBe(true);
  });

  it('records each new lead with its contacts, read back through the portal', async () => {
    const leadId = await addLead({ TITLE: 'Web form', CONTACT_IDS: [1010, 1011] });
    const lead = await recordedLead(leadId);
    expect(lead).toMatchObject({ memberId: sandbox.identity.member_id, title: 'Web form' });
    expect(lead.contacts.map((contact) => contact.id).sort()).toEqual([1010, 1011]);
  });

  it('refreshes its access token at the sandbox authorization server once the hour has passed', async () => {
    const before = app.portals.get(sandbox.identity.member_id)!.accessToken;
    await fetch(`${sandbox.url}/__sandbox/clock`, { method: 'POST', body: JSON.stringify({ advanceMs: 3_600_000 }) });
    const leadId = await addLead({ TITLE: 'After an hour' });
    expect((await recordedLead(leadId)).title).toBe('After an hour');
    expect(app.portals.get(sandbox.identity.member_id)!.accessToken).not.toBe(before);
  });

  it('refuses a forged delivery with 401 and records nothing for it', async () => {
    const forged = new URLSearchParams({
      event: 'ONCRMLEADADD',
      event_handler_id: '1',
      'data[FIELDS][ID]': '1',
      ts: '1727018926',
      'auth[domain]': new URL(sandbox.url).host,
      'auth[member_id]': sandbox.identity.member_id,
      'auth[application_token]': 'f'.repeat(32),
    });
    const answer = await fetch(appUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: forged.toString() });
    expect(answer.status).toBe(401);
    expect(await answer.json()).toMatchObject({ error: 'invalid_application_token' });
    expect(app.recorded.some((lead) => lead.leadId === 1)).toBe(false);
  });
});
