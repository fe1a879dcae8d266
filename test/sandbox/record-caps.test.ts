// Every store of the sandbox has a cap: the records a run of add and update calls may leave behind
// are bounded in number and in size, and so are the links; a call past a cap gets a Bitrix24-shaped
// 400 naming it, and the portal stays as it was. Issue 22, defects 3 and 6.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBitrix24Error } from '../../src/index.js';
import { startSandbox, type RunningSandbox } from '../../src/node/sandbox.js';
import { capBroken } from '../../src/sandbox/record-caps.js';
import { createSandbox, DEFAULT_SANDBOX_LIMITS, type SandboxOptions } from '../../src/sandbox/sandbox.js';
import { checkSeed } from '../../src/sandbox/seed-check.js';
import { jsonSize } from '../../src/wire/json-size.js';
import { sandboxWithClient } from '../support/checked-sandbox.js';
import { postJson } from '../support/contract-answer.js';
import { heapAfterGc } from '../support/heap.js';

const ids = (count: number, from = 1) => Array.from({ length: count }, (_, i) => from + i);

async function failure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!isBitrix24Error(error)) throw new Error(`expected a Bitrix24Error, got ${String(error)}`);
  return error;
}

describe('the records a portal stores', () => {
  it('has documented default caps', () => {
    expect(DEFAULT_SANDBOX_LIMITS).toMatchObject({
      maxStoredRecords: 100_000,
      maxRecordBytes: 65_536,
      maxLinksPerLead: 10_000,
      maxLinks: 100_000,
      maxPortalBytes: 64 * 1024 * 1024,
      maxServerBytes: 512 * 1024 * 1024,
      maxServerJournalBytes: 256 * 1024 * 1024,
      maxAnswerBytes: 32 * 1024 * 1024,
      maxPendingAnswerBytes: 128 * 1024 * 1024,
      maxServerAppBytes: 64 * 1024 * 1024,
    });
  });

  it('lists every cap of the sandbox in SECURITY.md', () => {
    const security = readFileSync(new URL('../../SECURITY.md', import.meta.url), 'utf8');
    const missing = Object.keys(DEFAULT_SANDBOX_LIMITS).filter((name) => !security.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });

  it.each([
    ['maxDeliveryLog', 0, /limits\.maxDeliveryLog must be a positive integer, got 0/],
    ['maxDeliveryLog', 2.5, /limits\.maxDeliveryLog must be a positive integer, got 2\.5/],
    ['maxDeliveryDelayMs', -1, /limits\.maxDeliveryDelayMs must be a non-negative integer, got -1/],
    ['maxDeliveryDelayMs', 0, undefined],
  ])('checks limits.%s = %s, naming the limit and its rule', (name, value, problem) => {
    const create = () => createSandbox({ limits: { [name]: value } });
    if (problem) expect(create).toThrow(problem);
    else expect(create).not.toThrow();
  });

  it('refuses an add past maxStoredRecords with 400 naming the cap, and takes one again after a delete', async () => {
    const { client } = sandboxWithClient({ seed: { leads: [1, 2], contacts: [10] }, limits: { maxStoredRecords: 3 } });
    const third = await client.crm.lead.add({ fields: { TITLE: 'third' } });
    const error = await failure(client.crm.lead.add({ fields: { TITLE: 'fourth' } }));
    expect([error.status, error.code]).toEqual([400, '']);
    expect(error.description).toContain('limits.maxStoredRecords');
    await client.crm.lead.delete({ id: third });
    await expect(client.crm.lead.add({ fields: { TITLE: 'fourth' } })).resolves.toBeGreaterThan(third);
    // Contacts have a cap of their own.
    await expect(client.crm.contact.add({ fields: { NAME: 'a' } })).resolves.toBeGreaterThan(10);
  });

  it('refuses fields larger than maxRecordBytes on add', async () => {
    const { client } = sandboxWithClient({ limits: { maxRecordBytes: 1024 } });
    const error = await failure(client.crm.contact.add({ fields: { NAME: 'x'.repeat(2000) } }));
    expect([error.status, error.code]).toEqual([400, '']);
    expect(error.description).toContain('limits.maxRecordBytes');
  });

  it('stops updates that keep adding entries before the record passes maxRecordBytes, leaving it as it was', async () => {
    const { sandbox, client } = sandboxWithClient({ limits: { maxRecordBytes: 2048 } });
    const id = await client.crm.contact.add({ fields: { NAME: 'Grows' } });
    let refused: unknown;
    for (let i = 0; i < 100 && !refused; i++) {
      await client.crm.contact.update({ id, fields: { PHONE: [{ VALUE: `+1 555 ${String(i).padStart(6, '0')}`, VALUE_TYPE: 'WORK' }] } }).catch((error) => {
        refused = error;
      });
    }
    expect(isBitrix24Error(refused) && refused.description).toContain('limits.maxRecordBytes');
    const before = JSON.stringify(sandbox.contact(id));
    await failure(client.crm.contact.update({ id, fields: { PHONE: [{ VALUE: '+1 555 999999', VALUE_TYPE: 'WORK' }] } }));
    expect(JSON.stringify(sandbox.contact(id))).toBe(before);
  });
});

describe('capBroken', () => {
  const limits = { ...DEFAULT_SANDBOX_LIMITS, maxRecordBytes: 100, maxLinksPerLead: 3, maxLinks: 5, maxPortalBytes: 1000, maxServerBytes: 2000 };
  const record = (fieldBytes: number, links = 0, bytes = 500) => ({ fieldBytes, links, bytes });
  const totals = (portalBytes = 0, portalLinks = 0, serverBytes = 0) => ({ portalBytes, portalLinks, serverBytes });
  it.each([
    ['a record within every cap', undefined, record(100, 3), totals(1000, 5, 2000), undefined],
    ['fields past maxRecordBytes', undefined, record(101), totals(), 'limits.maxRecordBytes'],
    ['links past maxLinksPerLead', record(10, 3), record(10, 4), totals(), 'limits.maxLinksPerLead'],
    ['links past maxLinks', record(10, 1), record(10, 2), totals(0, 6), 'limits.maxLinks)'],
    ['memory past maxPortalBytes', record(10, 0, 500), record(10, 0, 600), totals(1001), 'limits.maxPortalBytes'],
    ['memory past maxServerBytes', record(10, 0, 500), record(10, 0, 600), totals(0, 0, 2001), 'limits.maxServerBytes'],
    ['a change that shrinks a record a seed put over every cap', record(500, 9, 900), record(400, 8, 800), totals(5000, 50, 5000), undefined],
  ])('%s', (_name, before, after, sums, named) => {
    const broken = capBroken('lead', before, after, sums, limits);
    if (named === undefined) expect(broken).toBeUndefined();
    else expect(broken).toContain(named);
  });
});

describe('a record is judged as the change leaves it (issue 22, defect 6)', () => {
  // The attack: entries stored without an ID; an update that addresses none of them still made the
  // merge write an ID into each, growing a record under the cap to 1.8 times it.
  it.each([
    ['the report: 4,665 empty phones, an update addressing nothing', 64 * 1024, 4665, { EMAIL: [{ ID: 999999999, DELETE: 'Y' as const }] }],
    ['a small cap, an update adding one entry', 2048, 150, { PHONE: [{ VALUE: '1' }] }],
  ])('%s: no accepted call leaves a record over maxRecordBytes, a refused one leaves it as it was', async (_name, cap, count, update) => {
    const { sandbox, client } = sandboxWithClient({ limits: { maxRecordBytes: cap } });
    const phones = Array.from({ length: count }, () => ({ VALUE: '' }));
    expect(jsonSize({ TITLE: 't', PHONE: phones })).toBeLessThanOrEqual(cap);
    const refusals: string[] = [];
    const refused = (error: unknown) => {
      if (!isBitrix24Error(error)) throw error;
      refusals.push(error.description);
      return undefined;
    };
    const id = await client.crm.lead.add({ fields: { TITLE: 't', PHONE: phones } }).catch(refused);
    if (id !== undefined) {
      const before = JSON.stringify(sandbox.lead(id));
      const updated = await client.crm.lead.update({ id, fields: update }).catch(refused);
      if (updated === undefined) expect(JSON.stringify(sandbox.lead(id))).toBe(before);
      expect(jsonSize(sandbox.lead(id)!.fields)).toBeLessThanOrEqual(cap);
    }
    expect(refusals.length).toBeGreaterThan(0);
    for (const description of refusals) expect(description).toContain('limits.maxRecordBytes');
  });
});

describe('the links a portal stores (issue 22, defect 3)', () => {
  const seed = { leads: ids(3), contacts: ids(8, 10) };
  const LINKED = { maxLinksPerLead: 3, maxLinks: 5 };

  it('shares its numbers with the seed check: a seed from outside may hold what a portal may', () => {
    const lead = (id: number, count: number) => ({ id, contacts: ids(count) });
    const perLead = DEFAULT_SANDBOX_LIMITS.maxLinksPerLead;
    expect(() => checkSeed({ leads: [lead(1, perLead + 1)] })).toThrow(`at most ${perLead}`);
    const leads = Math.ceil((DEFAULT_SANDBOX_LIMITS.maxLinks + 1) / perLead);
    expect(() => checkSeed({ leads: ids(leads).map((id) => lead(id, perLead)) })).toThrow(`at most ${DEFAULT_SANDBOX_LIMITS.maxLinks}`);
  });

  it.each([
    ['crm.lead.contact.items.set', { id: 1, items: ids(4, 10).map((CONTACT_ID) => ({ CONTACT_ID })) }],
    ['crm.lead.add with CONTACT_IDS', { fields: { TITLE: 'x', CONTACT_IDS: ids(4, 10) } }],
    ['crm.lead.update with CONTACT_IDS', { id: 1, fields: { CONTACT_IDS: ids(4, 10) } }],
    ['crm.lead.contact.add past the per-lead cap', { id: 2, fields: { CONTACT_ID: 13 } }],
  ])('%s past maxLinksPerLead gets 400 naming the cap, and the portal stays as it was', async (name, params) => {
    const { sandbox, send } = sandboxWithClient({ seed: { ...seed, leads: [1, { id: 2, contacts: ids(3, 10) }, 3] }, limits: LINKED });
    const before = sandbox.snapshot();
    const method = name.split(' ')[0]!;
    const answer = await send(method, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) });
    expect([answer.status, answer.body.error]).toEqual([400, '']);
    expect(answer.body.error_description).toContain('limits.maxLinksPerLead');
    expect(sandbox.snapshot()).toEqual(before);
  });

  it('refuses a link past maxLinks for the whole portal, and takes it again once links are removed', async () => {
    const { sandbox, client } = sandboxWithClient({ seed, limits: LINKED });
    await client.crm.lead.contact.items.set({ id: 1, items: ids(3, 10).map((CONTACT_ID) => ({ CONTACT_ID })) });
    await client.crm.lead.contact.items.set({ id: 2, items: ids(2, 13).map((CONTACT_ID) => ({ CONTACT_ID })) });
    const before = sandbox.snapshot();
    const error = await failure(client.crm.lead.contact.add({ id: 3, fields: { CONTACT_ID: 15 } }));
    expect([error.status, error.code]).toEqual([400, '']);
    expect(error.description).toContain('limits.maxLinks)');
    expect(sandbox.snapshot()).toEqual(before);
    // Deleting a linked contact unlinks it and gives the link back.
    await client.crm.contact.delete({ id: 10 });
    await expect(client.crm.lead.contact.add({ id: 3, fields: { CONTACT_ID: 15 } })).resolves.toBe(true);
  });

  it('stops the attack of the report: items.set of 10,000 contacts on lead after lead ends at maxLinks', async () => {
    const { sandbox, send } = sandboxWithClient({ seed: { leads: ids(12), contacts: ids(10_000) } });
    const body = (id: number) => JSON.stringify({ id, items: ids(10_000).map((CONTACT_ID) => ({ CONTACT_ID })) });
    const statuses: number[] = [];
    let refusal = '';
    for (const id of ids(12)) {
      const answer = await send('crm.lead.contact.items.set', { headers: { 'content-type': 'application/json' }, body: body(id) });
      statuses.push(answer.status);
      if (answer.status !== 200) refusal = answer.body.error_description;
    }
    expect(statuses).toEqual([...Array(10).fill(200), 400, 400]);
    expect(refusal).toContain(`at most ${DEFAULT_SANDBOX_LIMITS.maxLinks}`);
    expect(sandbox.lead(11)!.contacts).toEqual([]);
  });
});

describe('the memory a portal and a server store (issue 22, defect 6)', () => {
  // Worst case for memory per byte of JSON: `[{},{},…]` is 3 bytes of JSON and about 64 of heap an item.
  const heavy = (n: number) => ({ TITLE: 'heavy', UF_CRM_LIST: Array.from({ length: n }, () => ({})) });

  async function fill(client: ReturnType<typeof sandboxWithClient>['client']) {
    let added = 0;
    for (;;) {
      const outcome = await client.crm.lead.add({ fields: heavy(2000) }).then(
        () => undefined,
        (error: unknown) => error,
      );
      if (outcome) return { added, error: outcome };
      added++;
    }
  }

  it('refuses an add past maxPortalBytes with 400 naming the cap, and the records it holds take no more memory than that', async () => {
    const cap = 4 * 1024 * 1024;
    const options: SandboxOptions = { seed: { leads: [], contacts: [] }, limits: { maxPortalBytes: cap, maxJournalEntries: 1 } };
    const { sandbox, client } = sandboxWithClient(options);
    const before = heapAfterGc();
    const { added, error } = await fill(client);
    sandbox.clearCalls();
    const grown = heapAfterGc() - before;
    expect(isBitrix24Error(error) && error.description).toContain('limits.maxPortalBytes');
    expect(added).toBeGreaterThan(5);
    expect(grown).toBeLessThanOrEqual(cap);
    // A delete gives the room back.
    await client.crm.lead.delete({ id: 1 });
    await expect(client.crm.lead.add({ fields: heavy(2000) })).resolves.toBeGreaterThan(added);
  });

  describe('over every portal of a server', () => {
    let server: RunningSandbox;
    const CAP = 2 * 1024 * 1024;
    beforeAll(async () => {
      server = await startSandbox({ seed: { leads: [], contacts: [] }, limits: { maxServerBytes: CAP, maxJournalEntries: 1 } });
    });
    afterAll(() => server.close());
    const add = (code: string) => postJson(`${server.url}/rest/1/${code}/crm.lead.add`, { fields: heavy(2000) }, 'crm.lead.add');

    it('refuses an add past maxServerBytes on any portal, and takes it again once a portal is removed', async () => {
      let refused: Awaited<ReturnType<typeof add>> | undefined;
      for (let i = 0; i < 100 && !refused; i++) {
        const answer = await add(i % 2 === 0 ? 'mem-a' : 'mem-b');
        if (answer.status !== 200) refused = answer;
      }
      expect(refused?.status).toBe(400);
      expect(refused?.body.error_description).toContain('limits.maxServerBytes');
      expect((await add('mem-c')).status).toBe(400);
      await fetch(`${server.url}/__sandbox/portal?portal=mem-a`, { method: 'DELETE' });
      expect((await add('mem-c')).status).toBe(200);
    });
  });
});
