import { describe, expect, it } from 'vitest';
import { Bitrix24Error, createBitrix24Client, readAll, readPages, type Bitrix24ClientOptions, type ReadAllProgress } from '../../src/index.js';
import { planWindow } from '../../src/client/list-reader.js';
import { leads, listPortal, type CommandScript, type ListRow } from '../support/list-portal.js';

const WEBHOOK = 'https://example.bitrix24.com/rest/1/listreadercode42/';

function clientOver(rows: () => readonly ListRow[], script?: CommandScript, options: Partial<Bitrix24ClientOptions> = {}) {
  const portal = listPortal(rows, script);
  const client = createBitrix24Client({ webhookUrl: WEBHOOK, fetch: portal.fetch, rateLimit: false, retry: false, ...options } as Bitrix24ClientOptions);
  return { client, requests: portal.requests };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** Reads until the iterator throws; returns what came before and the error. */
async function collectUntilThrow<T>(iterable: AsyncIterable<T>): Promise<{ items: T[]; error: unknown }> {
  const items: T[] = [];
  try {
    for await (const item of iterable) items.push(item);
  } catch (error) {
    return { items, error };
  }
  return { items, error: undefined };
}

const ids = (rows: ReadonlyArray<{ ID?: unknown }>) => rows.map((row) => Number(row.ID));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('readAll: reading every record', () => {
  it('returns every record once, in ascending ID order, in ⌈N / 2,500⌉ batch requests', async () => {
    const rows = leads(6_000);
    const { client, requests } = clientOver(() => rows);
    const read = await collect(readAll(client, 'crm.lead.list'));
    expect(ids(read)).toEqual(range(1, 6_000));
    expect(requests).toHaveLength(3);
  });

  it('needs one request more when N is a multiple of 2,500: the empty page that ends the run', async () => {
    const rows = leads(5_000);
    const { client, requests } = clientOver(() => rows);
    expect(await collect(readAll(client, 'crm.lead.list'))).toHaveLength(5_000);
    expect(requests).toHaveLength(3);
  });

  it('sends one request and hands out nothing when nothing matches', async () => {
    const { client, requests } = clientOver(() => []);
    expect(await collect(readAll(client, 'crm.lead.list'))).toEqual([]);
    expect(requests).toHaveLength(1);
  });

  it('reads newest first with order { ID: "DESC" }, moving a <ID window', async () => {
    const rows = leads(2_600);
    const { client, requests } = clientOver(() => rows);
    const read = await collect(readAll(client, 'crm.lead.list', { order: { ID: 'DESC' } }));
    expect(ids(read)).toEqual(range(1, 2_600).reverse());
    expect(requests[0]!.cmd.p1).toContain('filter[%3CID]=%24result%5Bp0%5D%5B49%5D%5BID%5D');
    expect(requests[1]!.params.p0!.filter).toEqual({ '<ID': '101' });
  });
});

describe('readAll: the batch chain', () => {
  it('chains 50 pages per batch through $result references to the last ID of the page before, with halt, order by ID and start -1', async () => {
    const rows = leads(2_550);
    const { client, requests } = clientOver(() => rows);
    await collect(readAll(client, 'crm.lead.list'));
    const [first, second] = requests;
    expect(first!.halt).toBe(1);
    expect(Object.keys(first!.cmd)).toEqual(range(0, 49).map((i) => `p${i}`));
    expect(first!.cmd.p0).toBe('crm.lead.list?order[ID]=ASC&start=-1');
    expect(first!.cmd.p1).toBe('crm.lead.list?order[ID]=ASC&start=-1&filter[%3EID]=%24result%5Bp0%5D%5B49%5D%5BID%5D');
    expect(first!.params.p49!.filter).toEqual({ '>ID': '$result[p48][49][ID]' });
    // The next request starts after the last ID the previous one handed out, as a plain value.
    expect(second!.params.p0!.filter).toEqual({ '>ID': '2500' });
  });

  it("keeps the caller's filter and select, and adds ID to select", async () => {
    const rows = leads(300);
    const { client, requests } = clientOver(() => rows);
    const read = await collect(readAll(client, 'crm.lead.list', { filter: { STATUS_ID: 'NEW' }, select: ['TITLE'] }));
    expect(read).toHaveLength(150);
    expect(read[0]).toEqual({ ID: '2', TITLE: 'Lead 2' });
    expect(requests[0]!.params.p0!.select).toEqual(['TITLE', 'ID']);
    expect(requests[0]!.params.p1!.filter).toEqual({ STATUS_ID: 'NEW', '>ID': '$result[p0][49][ID]' });
  });

  it("starts the window at the caller's own >ID, which is how a run resumes from progress.lastId", async () => {
    const rows = leads(200);
    const { client, requests } = clientOver(() => rows);
    const read = await collect(readAll(client, 'crm.lead.list', { filter: { '>ID': 120 } }));
    expect(ids(read)).toEqual(range(121, 200));
    expect(requests[0]!.params.p0!.filter).toEqual({ '>ID': '120' });
  });

  it('ends on the first short page and ignores the pages after it, even when they restart the window', async () => {
    // The fake portal resolves `$result[p1][49][ID]` of a 20-record page to '' and then ignores
    // the condition, so p2… hold records 1–50 again: none of them may come out.
    const rows = leads(70);
    const { client, requests } = clientOver(() => rows);
    const read = await collect(readAll(client, 'crm.lead.list'));
    expect(ids(read)).toEqual(range(1, 70));
    expect(requests).toHaveLength(1);
  });
});

describe('readAll over crm.item.list: the same window on id, records under result.items', () => {
  it('reads every record once in ⌈N / 2,500⌉ + 1 requests, chaining $result[pN][items][49][id]', async () => {
    const rows = leads(5_000);
    const { client, requests } = clientOver(() => rows);
    const read = await collect(readAll(client, 'crm.item.list', { entityTypeId: 1, select: ['title'] }));
    expect(read.map((lead) => lead.id)).toEqual(range(1, 5_000));
    expect(read[0]).toEqual({ id: 1, title: 'Lead 1' });
    expect(requests).toHaveLength(3);
    expect(requests[0]!.params.p0).toEqual({ entityTypeId: '1', select: ['title', 'id'], order: { id: 'ASC' }, start: '-1' });
    expect(requests[0]!.params.p1!.filter).toEqual({ '>id': '$result[p0][items][49][id]' });
    expect(requests[1]!.params.p0!.filter).toEqual({ '>id': '2500' });
  });

  it('reads newest first with order { id: "DESC" } and resumes from the caller\'s <id', async () => {
    const rows = leads(120);
    const { client } = clientOver(() => rows);
    const read = await collect(readPages(client, 'crm.item.list', { entityTypeId: 1, order: { id: 'DESC' }, filter: { '<id': 101 } }));
    expect(read.map((page) => page.length)).toEqual([50, 50]);
    expect(read.flat().map((lead) => lead.id)).toEqual(range(1, 100).reverse());
  });

  it('refuses an order on anything but id', async () => {
    const { client } = clientOver(() => []);
    // @ts-expect-error the window moves along id
    await expect(collect(readAll(client, 'crm.item.list', { entityTypeId: 1, order: { ID: 'ASC' } }))).rejects.toThrow(
      /order must be \{ id: 'ASC' \} or \{ id: 'DESC' \}/,
    );
  });
});

describe('readAll: failures', () => {
  it("throws a failed page's error after handing out every record before it", async () => {
    const rows = leads(6_000);
    const { client } = clientOver(
      () => rows,
      ({ request, key }) => (request === 1 && key === 'p3' ? { error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal error' } : undefined),
    );
    const { items, error } = await collectUntilThrow(readAll(client, 'crm.lead.list'));
    expect(ids(items)).toEqual(range(1, 2_650));
    expect(error).toBeInstanceOf(Bitrix24Error);
    expect(error).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', method: 'crm.lead.list' });
  });

  it('throws when a whole batch request fails, after the records of the requests before it', async () => {
    const rows = leads(3_000);
    const portal = listPortal(() => rows);
    let sent = 0;
    const fetch = async (input: RequestInfo | URL, init?: RequestInit) =>
      ++sent === 2 ? new Response('<html>Bad gateway</html>', { status: 502 }) : portal.fetch(input, init);
    const client = createBitrix24Client({ webhookUrl: WEBHOOK, fetch, rateLimit: false, retry: false });
    const { items, error } = await collectUntilThrow(readAll(client, 'crm.lead.list'));
    expect(items).toHaveLength(2_500);
    expect(error).toMatchObject({ name: 'Bitrix24Error', method: 'batch', status: 502 });
  });

  it('throws LIST_WINDOW_BROKEN rather than hand out a record twice when a page steps back', async () => {
    const rows = leads(200);
    const { client } = clientOver(
      () => rows,
      ({ key }) => (key === 'p1' ? { page: leads(50, 40) } : undefined),
    );
    const { items, error } = await collectUntilThrow(readAll(client, 'crm.lead.list'));
    expect(ids(items)).toEqual(range(1, 50));
    expect(error).toMatchObject({ code: 'LIST_WINDOW_BROKEN', method: 'crm.lead.list' });
    expect((error as Error).message).toContain('went back to ID 40 after ID 50');
  });

  it('throws LIST_WINDOW_BROKEN for a record without an integer ID', async () => {
    const { client } = clientOver(
      () => [],
      ({ key }) => (key === 'p0' ? { page: [{ ID: 'x' } as ListRow] } : undefined),
    );
    const { items, error } = await collectUntilThrow(readAll(client, 'crm.lead.list'));
    expect(items).toEqual([]);
    expect(error).toMatchObject({ code: 'LIST_WINDOW_BROKEN' });
  });

  it('refuses parameters the ID window cannot honour, naming the field and the rule', async () => {
    const { client, requests } = clientOver(() => leads(10));
    // @ts-expect-error the reader orders by ID only
    await expect(collect(readAll(client, 'crm.lead.list', { order: { TITLE: 'ASC' } }))).rejects.toThrow(/order must be \{ ID: 'ASC' \}/);
    // @ts-expect-error the reader sends start: -1 itself
    await expect(collect(readAll(client, 'crm.lead.list', { start: 50 }))).rejects.toThrow(/leave start out/);
    await expect(collect(readAll(client, 'crm.lead.list', { filter: { '>ID': 'abc' } }))).rejects.toThrow(/filter\['>ID'\] must be an integer ID/);
    expect(requests).toHaveLength(0);
  });
});

describe('readAll: flow control', () => {
  it('sends nothing more once the loop stops early', async () => {
    const rows = leads(10_000);
    const { client, requests } = clientOver(() => rows);
    let seen = 0;
    for await (const _lead of readAll(client, 'crm.lead.list')) if (++seen === 10) break;
    expect(requests).toHaveLength(1);
  });

  it('throws ABORTED from the iterator once the signal aborts, after the records before it', async () => {
    const rows = leads(10_000);
    const { client, requests } = clientOver(() => rows);
    const controller = new AbortController();
    const read: unknown[] = [];
    const { error } = await collectUntilThrow(
      (async function* () {
        for await (const lead of readAll(client, 'crm.lead.list', {}, { signal: controller.signal })) {
          read.push(lead);
          if (read.length === 75) controller.abort();
          yield lead;
        }
      })(),
    );
    expect(read).toHaveLength(75);
    expect(error).toMatchObject({ code: 'ABORTED', method: 'crm.lead.list' });
    expect(requests).toHaveLength(1);
  });

  it('reports progress after each request, with the last ID read', async () => {
    const rows = leads(2_600);
    const { client } = clientOver(() => rows);
    const reports: ReadAllProgress[] = [];
    await collect(readAll(client, 'crm.lead.list', {}, { onProgress: (progress) => reports.push(progress) }));
    expect(reports).toEqual([
      { records: 2_500, pages: 50, requests: 1, lastId: '2500' },
      { records: 2_600, pages: 52, requests: 2, lastId: '2600' },
    ]);
  });

  it("runs every request through the client's rate limiter", async () => {
    const rows = leads(7_600);
    let clock = 0;
    const waits: number[] = [];
    const { client, requests } = clientOver(() => rows, undefined, {
      rateLimit: { drainPerSecond: 1, burst: 3 },
      now: () => clock,
      sleep: async (ms: number) => {
        waits.push(ms);
        clock += ms;
      },
    });
    await collect(readAll(client, 'crm.lead.list'));
    expect(requests).toHaveLength(4);
    // A bucket of one: the first request goes at once, each later one a second after the one before.
    expect(waits).toEqual([1000, 1000, 1000]);
  });

  it('yields pages of up to 50 records with readPages', async () => {
    const rows = leads(120);
    const { client } = clientOver(() => rows);
    const pages = await collect(readPages(client, 'crm.lead.list'));
    expect(pages.map((page) => page.length)).toEqual([50, 50, 20]);
  });
});

describe('readAll: records changed during the run', () => {
  it('reads records added past the window, skips ones deleted before it reaches them, and repeats none', async () => {
    let rows = leads(3_000);
    const { client } = clientOver(() => rows);
    const read: number[] = [];
    for await (const lead of readAll(client, 'crm.lead.list')) {
      read.push(Number(lead.ID));
      if (read.length === 100) {
        // Between two requests: one record behind the window and one ahead are deleted, one is added at the end.
        rows = rows.filter((row) => row.ID !== '10' && row.ID !== '2700').concat(leads(1, 3_001));
      }
    }
    expect(read).toContain(10); // read before it was deleted
    expect(read).not.toContain(2_700); // deleted before the window reached it
    expect(read).toContain(3_001); // added past the window
    expect(new Set(read).size).toBe(read.length);
    expect(read).toEqual([...read].sort((a, b) => a - b));
  });
});

describe('planWindow: the parameters every page of a run shares', () => {
  const cases: Array<[string, Record<string, unknown>, ReturnType<typeof planWindow>]> = [
    [
      'no parameters: ascending from the first record',
      {},
      { base: { order: { ID: 'ASC' }, start: -1 }, filter: {}, key: '>ID', from: undefined, descending: false },
    ],
    [
      'select without ID gets ID',
      { select: ['TITLE'] },
      { base: { order: { ID: 'ASC' }, start: -1, select: ['TITLE', 'ID'] }, filter: {}, key: '>ID', from: undefined, descending: false },
    ],
    [
      'select with * is kept (it holds ID)',
      { select: ['*', 'PHONE'] },
      { base: { order: { ID: 'ASC' }, start: -1, select: ['*', 'PHONE'] }, filter: {}, key: '>ID', from: undefined, descending: false },
    ],
    [
      "the caller's >ID is where an ascending window starts",
      { filter: { '>ID': 99, '<ID': 500, STATUS_ID: 'NEW' } },
      { base: { order: { ID: 'ASC' }, start: -1 }, filter: { '<ID': 500, STATUS_ID: 'NEW' }, key: '>ID', from: '99', descending: false },
    ],
    [
      "descending: the caller's <ID is where it starts, >ID stays a condition",
      { order: { ID: 'desc' }, filter: { '>ID': 99, '<ID': '500' } },
      { base: { order: { ID: 'DESC' }, start: -1 }, filter: { '>ID': 99 }, key: '<ID', from: '500', descending: true },
    ],
    [
      'other parameters pass through',
      { params: { extra: 1 } },
      { base: { params: { extra: 1 }, order: { ID: 'ASC' }, start: -1 }, filter: {}, key: '>ID', from: undefined, descending: false },
    ],
  ];
  it.each(cases)('%s', (_name, params, plan) => {
    expect(planWindow('crm.lead.list', params)).toEqual(plan);
  });

  const refused: Array<[Record<string, unknown>, RegExp]> = [
    [{ start: 0 }, /crm\.lead\.list: readAll sends start: -1 itself/],
    [{ order: { ID: 'ASC', TITLE: 'ASC' } }, /order must be \{ ID: 'ASC' \} or \{ ID: 'DESC' \}/],
    [{ order: { ID: 'UP' } }, /order must be/],
    [{ filter: [] }, /filter must be an object/],
    [{ select: 'TITLE' }, /select must be an array/],
    [{ filter: { '>ID': 1.5 } }, /filter\['>ID'\] must be an integer ID/],
    [{ filter: { '>ID': true } }, /filter\['>ID'\] must be an integer ID/],
    [{ order: { ID: 'DESC' }, filter: { '<ID': '' } }, /filter\['<ID'\] must be an integer ID/],
  ];
  it.each(refused)('refuses %j, naming the field and the rule', (params, message) => {
    expect(() => planWindow('crm.lead.list', params)).toThrow(message);
  });
});
