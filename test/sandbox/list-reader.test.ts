import { describe, expect, it } from 'vitest';
import { readAll, type ReadAllProgress } from '../../src/index.js';
import { sandboxWithClient } from '../support/checked-sandbox.js';

/** `count` leads with ids 1…count, every third one IN_PROCESS. */
const seedLeads = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ id: i + 1, fields: { TITLE: `Lead ${i + 1}`, STATUS_ID: i % 3 === 0 ? 'IN_PROCESS' : 'NEW' } }));

/** The batch requests the sandbox answered (its journal also lists each command on its own). */
const batchRequests = (calls: ReadonlyArray<{ method: string; batchKey?: string }>) =>
  calls.filter((call) => call.method === 'batch' && call.batchKey === undefined);

async function ids(iterable: AsyncIterable<{ ID?: unknown }>) {
  const out: number[] = [];
  for await (const record of iterable) out.push(Number(record.ID));
  return out;
}

/** Room for every answer in the journal: one batch of 50 list pages journals several MiB (the batch and each page), past the default 8 MiB. */
const wideJournal = { maxJournalBytes: 256 * 1024 * 1024 };

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('readAll against the sandbox', () => {
  it('reads every seeded lead once, in ascending ID order, in ⌈N / 2,500⌉ batch requests', async () => {
    const { sandbox, client } = sandboxWithClient({ seed: { leads: seedLeads(5_100), contacts: [] }, limits: wideJournal });
    expect(await ids(readAll(client, 'crm.lead.list'))).toEqual(range(1, 5_100));
    expect(batchRequests(sandbox.calls)).toHaveLength(3);
  });

  it('ends with one more request when N is a multiple of 2,500', async () => {
    const { sandbox, client } = sandboxWithClient({ seed: { leads: seedLeads(2_500), contacts: [] }, limits: wideJournal });
    expect(await ids(readAll(client, 'crm.lead.list'))).toEqual(range(1, 2_500));
    expect(batchRequests(sandbox.calls)).toHaveLength(2);
  });

  it('reads newest first with order { ID: "DESC" }', async () => {
    const { client } = sandboxWithClient({ seed: { leads: seedLeads(2_620), contacts: [] } });
    expect(await ids(readAll(client, 'crm.lead.list', { order: { ID: 'DESC' } }))).toEqual(range(1, 2_620).reverse());
  });

  it("keeps the caller's filter and select, with ID forced in", async () => {
    const { client } = sandboxWithClient({ seed: { leads: seedLeads(3_000), contacts: [] } });
    const read = [];
    for await (const lead of readAll(client, 'crm.lead.list', { filter: { STATUS_ID: 'IN_PROCESS' }, select: ['TITLE'] })) read.push(lead);
    expect(read).toHaveLength(1_000);
    expect(read[0]).toEqual({ ID: '1', TITLE: 'Lead 1' });
    expect(read.map((lead) => Number(lead.ID))).toEqual(range(0, 999).map((i) => 3 * i + 1));
  });

  it('reads contacts the same way', async () => {
    const contacts = Array.from({ length: 120 }, (_, i) => ({ id: 1_000 + i, fields: { NAME: `Contact ${i}` } }));
    const { client } = sandboxWithClient({ seed: { leads: [], contacts } });
    expect(await ids(readAll(client, 'crm.contact.list', { select: ['NAME'] }))).toEqual(range(1_000, 1_119));
  });

  it('reads a lead added during the run past the window, and no lead twice', async () => {
    const { client } = sandboxWithClient({ seed: { leads: seedLeads(3_000), contacts: [] } });
    const read: number[] = [];
    let added = 0;
    for await (const lead of readAll(client, 'crm.lead.list')) {
      read.push(Number(lead.ID));
      if (read.length === 10) added = await client.crm.lead.add({ fields: { TITLE: 'Added during the run' } });
    }
    expect(added).toBeGreaterThan(3_000);
    expect(read).toEqual([...range(1, 3_000), added]);
  });

  it("throws a failed page's error after every record before it", async () => {
    const { sandbox, client } = sandboxWithClient({ seed: { leads: seedLeads(6_000), contacts: [] } });
    const read: number[] = [];
    const failure = await (async () => {
      try {
        for await (const lead of readAll(client, 'crm.lead.list')) {
          read.push(Number(lead.ID));
          if (read.length === 2_500) sandbox.fail('crm.lead.list', { status: 500, error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal error' });
        }
      } catch (error) {
        return error;
      }
    })();
    expect(read).toEqual(range(1, 2_500));
    expect(failure).toMatchObject({ name: 'Bitrix24Error', code: 'INTERNAL_SERVER_ERROR', method: 'crm.lead.list' });
  });

  it.each([0, 1, 49, 50, 2_500, 5_120])('returns each of %i leads once, in order, in at most ⌈N / 2,500⌉ + 1 requests', async (count) => {
    const { client, sandbox } = sandboxWithClient({ seed: { leads: seedLeads(count), contacts: [] } });
    const progress: ReadAllProgress[] = [];
    expect(await ids(readAll(client, 'crm.lead.list', { select: ['TITLE'] }, { onProgress: (p) => progress.push(p) }))).toEqual(range(1, count));
    const requests = batchRequests(sandbox.calls).length;
    expect(requests).toBeLessThanOrEqual(Math.ceil(count / 2_500) + 1);
    expect(progress.at(-1)).toMatchObject({ records: count, requests });
  });

  it('chains fewer pages per request with pagesPerBatch, downwards from a <ID, with a negated filter', async () => {
    const seed = Array.from({ length: 300 }, (_, i) => ({ id: i + 1, fields: { STATUS_ID: (i + 1) % 3 === 0 ? 'JUNK' : 'NEW' } }));
    const { client, sandbox } = sandboxWithClient({ seed: { leads: seed, contacts: [] } });
    const read = await ids(
      readAll(client, 'crm.lead.list', { filter: { '!STATUS_ID': 'JUNK', '<ID': 200 }, order: { ID: 'DESC' }, select: ['STATUS_ID'] }, { pagesPerBatch: 2 }),
    );
    expect(read).toEqual(
      range(1, 199)
        .reverse()
        .filter((id) => id % 3 !== 0),
    );
    expect(batchRequests(sandbox.calls)).toHaveLength(2); // 132 records: pages of 50, 50 | 32
  });

  it('starts past a given >ID', async () => {
    const { client } = sandboxWithClient({ seed: { leads: [], contacts: range(1, 70) } });
    expect(await ids(readAll(client, 'crm.contact.list', { filter: { '>ID': 60 } }))).toEqual(range(61, 70));
  });

  it('throws ABORTED once its signal aborts, before the next request', async () => {
    const { client, sandbox } = sandboxWithClient({ seed: { leads: seedLeads(3_000), contacts: [] } });
    const controller = new AbortController();
    const iterator = readAll(client, 'crm.lead.list', {}, { signal: controller.signal });
    for (let i = 0; i < 2_500; i++) await iterator.next();
    controller.abort();
    await expect(iterator.next()).rejects.toMatchObject({ name: 'Bitrix24Error', code: 'ABORTED' });
    expect(batchRequests(sandbox.calls)).toHaveLength(1);
  });

  it('refuses a pagesPerBatch outside 1–50', async () => {
    const { client } = sandboxWithClient();
    await expect(readAll(client, 'crm.lead.list', {}, { pagesPerBatch: 51 }).next()).rejects.toThrow(/pagesPerBatch must be an integer from 1 to 50/);
  });
});
