// Issue 16, defects 3 and 4: link de-duplication is linear, and a large seed is either built or
// refused with 400 before anything is stored, so a portal can always be reset afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SEED, startSandbox, type RunningSandbox } from '../../src/node/sandbox.js';
import { PortalState, type LinkInput, type Seed } from '../../src/sandbox/portal-state.js';
import { createSandbox } from '../../src/sandbox/sandbox.js';
import { linkHeavySeed } from '../support/abuse-inputs.js';
import { postJson, send } from '../support/contract-answer.js';

const json = { 'content-type': 'application/json' };
const ids = (count: number, from = 1) => Array.from({ length: count }, (_, i) => from + i);

describe('crm.lead.contact.items.set de-duplication', () => {
  it('reads each item a bounded number of times, however many items there are (a quadratic scan reads them n² times)', () => {
    const n = 2000;
    const state = new PortalState({ leads: [1], contacts: ids(n) }, Date.now);
    let reads = 0;
    const items: LinkInput[] = ids(n).map((id) => ({
      get contactId() {
        reads++;
        return id;
      },
    }));
    state.setLinks(1, [...items, ...items]); // every contact twice
    expect(state.lead(1).links).toHaveLength(n);
    expect(reads).toBeLessThanOrEqual(2 * n * 8);
  });

  it('sets 120,000 distinct contacts at once, keeping the first entry of a repeated one (issue 16: 9.9 s, other portals blocked)', async () => {
    const count = 120_000;
    const sandbox = createSandbox({
      seed: { leads: [1], contacts: ids(count) },
      limits: { maxBodyBytes: 8 * 1024 * 1024, maxLinksPerLead: count, maxLinks: count },
    });
    const items = [...ids(count).map((CONTACT_ID) => ({ CONTACT_ID })), { CONTACT_ID: 5, SORT: 1 }];
    const answer = await sandbox.fetch('https://x.bitrix24.test/rest/1/c/crm.lead.contact.items.set', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ id: 1, items }),
    });
    expect(answer.status).toBe(200);
    const links = sandbox.lead(1)!.contacts;
    expect(links).toHaveLength(count);
    expect(links.find((link) => link.CONTACT_ID === 5)?.SORT).toBe(50);
    expect(links[0]).toEqual({ CONTACT_ID: 1, SORT: 10, IS_PRIMARY: 'Y' });
  });
});

describe('large seeds in-process', () => {
  it('builds a seed of 130,000 contacts and numbers new records after the largest id (issue 16: Math.max overflowed the stack)', async () => {
    // Past the default store cap on added records, which a seed from the program may exceed.
    const sandbox = createSandbox({ seed: { leads: [1], contacts: ids(130_000) }, limits: { maxStoredRecords: 200_000 } });
    const answer = await sandbox.fetch('https://x.bitrix24.test/rest/1/c/crm.contact.add', {
      method: 'POST',
      headers: json,
      body: '{"fields":{"NAME":"New"}}',
    });
    expect((await answer.json()).result).toBe(130_001);
  });

  it('a seed that cannot be built leaves the previous seed in place, and reset() keeps working', () => {
    const sandbox = createSandbox({ seed: { leads: [7], contacts: [70] } });
    const broken = { leads: [{ id: 1, contacts: [null] }] } as unknown as Seed;
    expect(() => sandbox.reset(broken)).toThrow();
    sandbox.reset();
    expect(sandbox.snapshot().leads.map((lead) => lead.id)).toEqual([7]);
  });
});

describe('POST /__sandbox/seed with a large seed', () => {
  let server: RunningSandbox;
  beforeAll(async () => {
    server = await startSandbox();
  });
  afterAll(() => server.close());

  it('refuses 14 leads × 10,000 links with 400 naming the contact cap, and the portal still resets (issue 16: 500, then every reset 500)', async () => {
    await send(`${server.adminUrl}seed?portal=big-seed`, { method: 'POST', body: JSON.stringify({ leads: [3], contacts: [30] }) });
    const answer = await send(`${server.adminUrl}seed?portal=big-seed`, { method: 'POST', body: JSON.stringify(linkHeavySeed(14, 10_000)) });
    expect(answer.status).toBe(400);
    expect(answer.body.error_description).toMatch(/Invalid seed: the seed names 140000 distinct contacts .*at most 10000 are accepted/);
    const reset = await send(`${server.adminUrl}reset?portal=big-seed`, { method: 'POST' });
    expect(reset.status).toBe(200);
    expect(
      server
        .portal('big-seed')
        .snapshot()
        .leads.map((lead) => lead.id),
    ).toEqual([3]);
    expect((await send(`${server.adminUrl}reset`, { method: 'POST' })).status).toBe(200);
  });

  it('refuses more than 100,000 links in all with 400', async () => {
    const answer = await send(`${server.adminUrl}seed?portal=big-seed`, { method: 'POST', body: JSON.stringify(linkHeavySeed(11, 10_000, { shared: true })) });
    expect([answer.status, answer.body.error_description]).toEqual([400, expect.stringMatching(/leads hold 110000 links in all; at most 100000 are accepted/)]);
  });

  it('builds a seed at the caps: 10 leads × the same 10,000 contacts', async () => {
    const seeded = await send(`${server.adminUrl}seed?portal=full-seed`, { method: 'POST', body: JSON.stringify(linkHeavySeed(10, 10_000, { shared: true })) });
    expect(seeded.status).toBe(200);
    const links = await postJson(`${server.url}/rest/1/full-seed/crm.lead.contact.items.get`, { id: 10 }, 'crm.lead.contact.items.get');
    expect(links.body.result).toHaveLength(10_000);
    expect((await send(`${server.adminUrl}reset?portal=full-seed`, { method: 'POST' })).status).toBe(200);
    server.portal('full-seed').reset(DEFAULT_SEED);
  });
});
