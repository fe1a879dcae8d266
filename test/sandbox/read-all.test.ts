import { describe, expect, it } from 'vitest';
import { readAll, type ReadProgress } from '../../src/index.js';
import { sandboxWithClient } from './checked-sandbox.js';

const leads = (count: number, fields: (id: number) => Record<string, unknown> = (id) => ({ TITLE: `Lead ${id}` })) =>
  Array.from({ length: count }, (_, i) => ({ id: i + 1, fields: fields(i + 1) }));

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of iterable) all.push(item);
  return all;
}

describe('readAll: every matching record through the ID window, 50 pages per batch', () => {
  it.each([0, 1, 49, 50, 2_500, 5_120])('returns each of %i leads once, in ascending id order, in at most ⌈N / 2,500⌉ + 1 requests', async (count) => {
    const { client, sandbox } = sandboxWithClient({ seed: { leads: leads(count) } });
    const progress: ReadProgress[] = [];
    const read = await collect(readAll(client, 'crm.lead.list', { select: ['TITLE'], onProgress: (p) => progress.push(p) }));
    expect(read.map((lead) => Number(lead.ID))).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    expect(read[0]?.TITLE).toBe(count > 0 ? 'Lead 1' : undefined);
    const requests = sandbox.calls.filter((call) => call.method === 'batch').length;
    expect(requests).toBeLessThanOrEqual(Math.ceil(count / 2_500) + 1);
    expect(progress.at(-1)).toEqual({ records: count, requests });
  });

  it('applies the user filter and reads downwards when asked, ending on a short page', async () => {
    const { client } = sandboxWithClient({ seed: { leads: leads(300, (id) => ({ STATUS_ID: id % 3 === 0 ? 'JUNK' : 'NEW' })) } });
    const read = await collect(
      readAll(client, 'crm.lead.list', { filter: { '!STATUS_ID': 'JUNK', '<ID': 200 }, descending: true, select: ['STATUS_ID'], pagesPerBatch: 2 }),
    );
    const expected = Array.from({ length: 199 }, (_, i) => 199 - i).filter((id) => id % 3 !== 0);
    expect(read.map((lead) => Number(lead.ID))).toEqual(expected);
    expect(read.every((lead) => lead.STATUS_ID === 'NEW')).toBe(true);
  });

  it('starts past a given >ID and reads contacts too', async () => {
    const { client } = sandboxWithClient({ seed: { contacts: Array.from({ length: 70 }, (_, i) => i + 1) } });
    const read = await collect(readAll(client, 'crm.contact.list', { filter: { '>ID': 60 } }));
    expect(read.map((contact) => contact.ID)).toEqual(['61', '62', '63', '64', '65', '66', '67', '68', '69', '70']);
  });

  it('throws a failed page after handing out every record before it', async () => {
    const { client, sandbox } = sandboxWithClient({ seed: { leads: leads(2_600) } });
    const iterator = readAll(client, 'crm.lead.list', { pagesPerBatch: 50 });
    const seen: string[] = [];
    for (let i = 0; i < 2_500; i++) seen.push(((await iterator.next()).value as { ID: string }).ID);
    sandbox.fail('crm.lead.list', { status: 400, error: '', error_description: 'Failed to get list. General error.' });
    await expect(iterator.next()).rejects.toMatchObject({
      name: 'Bitrix24Error',
      method: 'crm.lead.list',
      description: expect.stringMatching(/after 2500 records: Failed to get list/),
    });
    expect(seen.at(-1)).toBe('2500');
  });

  it('stops when its signal aborts', async () => {
    const { client } = sandboxWithClient({ seed: { leads: leads(3_000) } });
    const controller = new AbortController();
    const iterator = readAll(client, 'crm.lead.list', { signal: controller.signal });
    await iterator.next();
    for (let i = 1; i < 2_500; i++) await iterator.next();
    controller.abort(new Error('stopped by the test'));
    await expect(iterator.next()).rejects.toThrow('stopped by the test');
  });

  it('refuses a pagesPerBatch outside 1–50', async () => {
    const { client } = sandboxWithClient();
    await expect(readAll(client, 'crm.lead.list', { pagesPerBatch: 51 }).next()).rejects.toThrow(/pagesPerBatch must be an integer from 1 to 50/);
  });
});
