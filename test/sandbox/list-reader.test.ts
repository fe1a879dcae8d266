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

describe('regression (issue 22 #8): readAll adapts to answers larger than maxResponseBytes', () => {
  /** `count` leads whose COMMENTS hold `size` characters: a page of 50 is about 50 × (size + 30) bytes. */
  const heavyLeads = (count: number, size: number) =>
    Array.from({ length: count }, (_, i) => ({ id: i + 1, fields: { TITLE: `Lead ${i + 1}`, COMMENTS: 'c'.repeat(size) } }));
  // The report's attack scaled down: 50 pages of ~21 KB against a 64 KiB cap (the default is 8 MiB
  // against 50 pages of 4 KB records).
  const maxResponseBytes = 64 * 1024;

  it.each([
    ['ascending, from 50 pages a request', {}, {}, range(1, 400), [25, 12, 6, 3, 3, 3, 3]],
    [
      'descending from a <ID, from 8 pages a request',
      { order: { ID: 'DESC' }, filter: { '<ID': 301 } },
      { pagesPerBatch: 8 },
      range(1, 300).reverse(),
      [4, 2, 2, 2, 2, 2],
    ],
  ] as const)(
    '%s: halves the pages per request until the answer fits, reads every lead once, and reports pagesPerBatch',
    async (_name, params, options, expected, sizes) => {
      const { client, sandbox } = sandboxWithClient({ seed: { leads: heavyLeads(400, 400), contacts: [] } }, { maxResponseBytes });
      const progress: ReadAllProgress[] = [];
      const read = await ids(readAll(client, 'crm.lead.list', { ...params, select: ['COMMENTS'] }, { ...options, onProgress: (p) => progress.push(p) }));
      expect(read).toEqual(expected);
      expect(progress.map((p) => p.pagesPerBatch)).toEqual(sizes);
      // A refused answer hands out nothing: the reports before the first records say 0.
      expect(progress.filter((p) => p.records === 0).map((p) => p.requests)).toEqual(range(1, sizes.filter((n, i) => n !== sizes[i + 1]).length));
      expect(progress.at(-1)).toMatchObject({ records: expected.length, requests: batchRequests(sandbox.calls).length });
    },
  );

  it('fails with RESPONSE_TOO_LARGE naming maxResponseBytes once a single page is too large, after halving down to one page', async () => {
    const { client } = sandboxWithClient({ seed: { leads: heavyLeads(60, 2_000), contacts: [] } }, { maxResponseBytes });
    const progress: ReadAllProgress[] = [];
    const iterator = readAll(client, 'crm.lead.list', { select: ['COMMENTS'] }, { onProgress: (p) => progress.push(p) });
    const failure = await iterator.next().catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'Bitrix24Error', code: 'RESPONSE_TOO_LARGE', method: 'crm.lead.list', retryable: false });
    expect((failure as Error).message).toMatch(/One page of 50 records is larger than the client's maxResponseBytes.*65536 bytes/);
    // Five refused requests, each reported with the smaller size; the sixth, of one page, ends the run.
    expect(progress.map((p) => [p.requests, p.pagesPerBatch])).toEqual([
      [1, 25],
      [2, 12],
      [3, 6],
      [4, 3],
      [5, 1],
    ]);
  });
});

describe('regression (issue 22 #9): readAll never sends a filter value the batch would rewrite', () => {
  const seed = {
    leads: [
      { id: 1, fields: { TITLE: 'Promo $result[x] code' } },
      { id: 2, fields: { TITLE: 'other' } },
    ],
    contacts: [],
  };

  it.each([
    ['%TITLE', '$result[x]', ['1']],
    ['TITLE', 'Promo $result[x] code', ['1']],
    ['!%TITLE', '$ERROR[p0]', ['1', '2']],
  ])('refuses filter[%s] = %j with INVALID_PARAMS naming it, before any request; the list method itself reads it as written', async (key, value, found) => {
    const { client, sandbox } = sandboxWithClient({ seed });
    const filter = { [key]: value };
    const error = await readAll(client, 'crm.lead.list', { filter, select: ['ID'] })
      .next()
      .catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ name: 'Bitrix24Error', code: 'INVALID_PARAMS' });
    expect((error as Error).message).toContain(`Cannot send filter[${key}] in a batch command`);
    expect(sandbox.calls).toEqual([]);
    const { result } = await client.crm.lead.list({ filter, select: ['ID'] });
    expect(result.map((lead) => lead.ID)).toEqual(found);
  });
});
