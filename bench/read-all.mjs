// Reading every lead: our readAll (ID window, start -1, 50 pages per batch) beside plain `next`
// paging through our client, against the in-process sandbox with the standard plan's bucket (drain
// 2/s, 50 deep) enforced, and b24jssdk's fetchList against the same sandbox over HTTP (it sends
// through its own HTTP stack), plus one in-process list page at 100,000 leads.
// Needs `npm run build` (the sandbox comes from dist/lib).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bucketBoundMs } from './bulk.mjs';

const STANDARD = { drainPerSecond: 2, burst: 50 };
const WEBHOOK = 'https://bench.bitrix24.test/rest/1/benchcode/';

const seedOf = (count) => ({
  leads: Array.from({ length: count }, (_, i) => ({ id: i + 1, fields: { TITLE: `Lead ${i + 1}`, STATUS_ID: 'NEW', OPPORTUNITY: 100 + (i % 900) } })),
});

/** Runs one reader against a fresh sandbox; counts requests, 503s, records (each id once, in order) and RSS growth. */
async function measure(createSandbox, count, read) {
  const sandbox = createSandbox({ seed: seedOf(count), rateLimit: 'standard' });
  let requests = 0;
  let rejected = 0;
  const fetch = async (input, init) => {
    requests++;
    const response = await sandbox.fetch(input, init);
    if (response.status === 503) rejected++;
    sandbox.clearCalls(); // the journal keeps every answer; the bench measures the reader, not it
    return response;
  };
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  let records = 0;
  let lastId = 0;
  let ordered = true;
  const started = performance.now();
  await read(fetch, (record) => {
    const id = Number(record.ID);
    if (id <= lastId) ordered = false;
    lastId = id;
    if (++records % 2_500 === 0) peak = Math.max(peak, process.memoryUsage().rss);
  });
  const wallMs = performance.now() - started;
  peak = Math.max(peak, process.memoryUsage().rss);
  const boundMs = bucketBoundMs(requests, STANDARD);
  return {
    records,
    complete: records === count && ordered,
    requests,
    requestBound: Math.ceil(count / 2_500) + 1,
    rejected503: rejected,
    wallMs: Math.round(wallMs),
    boundMs: Math.round(boundMs),
    rssGrowthMb: Number(((peak - rssBefore) / 1024 / 1024).toFixed(1)),
  };
}

/**
 * @param {{ ours: any, root: string, sizes?: number[], log?: (line: string) => void }} options
 */
export async function measureReadAll({ ours, root, sizes = [10_000, 100_000], log = () => {} }) {
  const { createSandbox } = await import(pathToFileURL(join(root, 'dist', 'lib', 'src', 'sandbox', 'sandbox.js')).href);
  const { LIST_PAGE_SIZE, listPage } = await import(pathToFileURL(join(root, 'dist', 'lib', 'src', 'sandbox', 'list-query.js')).href);
  const client = (fetch) => ours.createBitrix24Client({ webhookUrl: WEBHOOK, fetch, rateLimit: STANDARD });
  const rows = [];
  for (const count of sizes) {
    log(`  readAll over ${count} leads…`);
    rows.push({
      name: 'b24-lead-contact readAll',
      count,
      note: 'ID window, start -1, 50 pages per batch',
      ...(await measure(createSandbox, count, async (fetch, take) => {
        for await (const lead of ours.readAll(client(fetch), 'crm.lead.list', { select: ['ID', 'TITLE'] })) take(lead);
      })),
    });
    // Plain paging costs one request per 50 records: at 100,000 that is 2,000 requests, about 16
    // minutes at the standard plan's 2/s, so it runs at the smaller size only (its bound is printed).
    if (count > 10_000) continue;
    log(`  next paging over ${count} leads…`);
    rows.push({
      name: 'b24-lead-contact, plain next paging',
      count,
      note: 'crm.lead.list with start = next, one request per 50',
      ...(await measure(createSandbox, count, async (fetch, take) => {
        const c = client(fetch);
        for (let start = 0; start !== undefined; ) {
          const page = await c.crm.lead.list({ select: ['ID', 'TITLE'], order: { ID: 'ASC' }, start });
          for (const lead of page.result) take(lead);
          start = page.next;
        }
      })),
    });
    if (count > 10_000) continue;
    log(`  b24jssdk fetchList over ${count} leads…`);
    rows.push({
      name: '@bitrix24/b24jssdk fetchList',
      count,
      note: 'actions.v2.fetchList.make, its limiter at the standard plan',
      ...(await measureJsSdk(root, count)),
    });
  }

  // One in-process page at 100,000 leads: the id index finds the window by binary search.
  const { PortalState } = await import(pathToFileURL(join(root, 'dist', 'lib', 'src', 'sandbox', 'portal-state.js')).href);
  const state = new PortalState(seedOf(100_000), Date.now);
  const read = (record, field) => (field === 'ID' ? record.id : record.fields[field]);
  const times = [];
  // The first pages warm up the JIT; only the later ones are timed.
  for (let round = -50; round < 200; round++) {
    const from = (round * 487) % 99_900;
    const started = performance.now();
    const page = listPage('lead', state.leads, { filter: { '>ID': from }, order: { ID: 'ASC' }, start: -1 }, read);
    if (round >= 0) times.push(performance.now() - started);
    if (page.records.length !== LIST_PAGE_SIZE) throw new Error(`page at >ID ${from} held ${page.records.length} records`);
  }
  times.sort((a, b) => a - b);
  const page = {
    rounds: times.length,
    medianMs: Number(times[times.length >> 1].toFixed(3)),
    p99Ms: Number(times[Math.floor(times.length * 0.99)].toFixed(3)),
  };
  return { bucket: STANDARD, rows, page };
}

/** b24jssdk's `actions.v2.fetchList` (one keyset page per request) against startSandbox over HTTP. */
async function measureJsSdk(root, count) {
  const { startSandbox } = await import(pathToFileURL(join(root, 'dist', 'lib', 'src', 'node', 'sandbox.js')).href);
  const { B24Hook } = await import('@bitrix24/b24jssdk');
  const running = await startSandbox({ seed: seedOf(count), rateLimit: 'standard' });
  try {
    const hook = new B24Hook(
      { b24Url: running.url, userId: 1, secret: 'sandbox' },
      { restrictionParams: { rateLimit: { burstLimit: STANDARD.burst, drainRate: STANDARD.drainPerSecond, adaptiveEnabled: false } } },
    );
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    let records = 0;
    let lastId = 0;
    let ordered = true;
    const started = performance.now();
    for await (const chunk of hook.actions.v2.fetchList.make({ method: 'crm.lead.list', params: { select: ['ID', 'TITLE'] }, idKey: 'ID' })) {
      for (const lead of /** @type {Array<{ ID: string }>} */ (chunk)) {
        const id = Number(lead.ID);
        if (id <= lastId) ordered = false;
        lastId = id;
        records++;
      }
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    const wallMs = performance.now() - started;
    const requests = running.calls.length;
    return {
      records,
      complete: records === count && ordered,
      requests,
      requestBound: Math.ceil(count / 2_500) + 1,
      rejected503: running.calls.filter((call) => call.status === 503).length,
      wallMs: Math.round(wallMs),
      boundMs: Math.round(bucketBoundMs(requests, STANDARD)),
      rssGrowthMb: Number(((peak - rssBefore) / 1024 / 1024).toFixed(1)),
    };
  } catch (error) {
    return { error: String(error?.message ?? error) };
  } finally {
    await running.close();
  }
}
