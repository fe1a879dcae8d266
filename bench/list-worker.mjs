#!/usr/bin/env node
// One contender of the list benchmark in its own process, so its RSS is its own: reads every lead of
// the server at <webhookUrl> and prints one JSON line with what it read, its wall time and its RSS.
// Usage: node bench/list-worker.mjs <ours-module> <webhookUrl> fast|item|next|b24jssdk
//   fast:     readAll(client, 'crm.lead.list') (ID window, 50 pages per batch)
//   item:     the same over crm.item.list (entityTypeId 1, result.items, camelCase names)
//   next:     client.crm.lead.list page after page, following each answer's `next` until there is none
//   b24jssdk: @bitrix24/b24jssdk actions.v2.fetchList (ID window, one page per request)
import { pathToFileURL } from 'node:url';

const [modulePath, webhookUrl, mode] = process.argv.slice(2);
const ours = await import(pathToFileURL(modulePath).href);
const select = ['ID', 'TITLE', 'STATUS_ID'];

let peakRss = 0;
const sample = () => {
  const { rss } = process.memoryUsage();
  if (rss > peakRss) peakRss = rss;
};

/** Counts records and checks they come once each, in ascending ID order, holding none of them. */
function checker() {
  let records = 0;
  let last = 0;
  let inOrder = true;
  return {
    take(rows) {
      for (const row of rows) {
        const id = Number(row.ID ?? row.id);
        if (!(id > last)) inOrder = false;
        last = id;
        records++;
      }
      sample();
    },
    get result() {
      return { records, lastId: last, inOrder };
    },
  };
}

/** Builds the contender (imports and clients made before the baseline) and returns its read loop. */
async function prepare() {
  if (mode === 'fast') {
    const client = ours.createBitrix24Client({ webhookUrl, allowInsecureHttp: true, rateLimit: 'standard' });
    return async (take) => {
      for await (const page of ours.readPages(client, 'crm.lead.list', { select })) take(page);
    };
  }
  if (mode === 'item') {
    const client = ours.createBitrix24Client({ webhookUrl, allowInsecureHttp: true, rateLimit: 'standard' });
    return async (take) => {
      for await (const page of ours.readPages(client, 'crm.item.list', { entityTypeId: 1, select: ['id', 'title', 'stageId'] })) take(page);
    };
  }
  if (mode === 'next') {
    const client = ours.createBitrix24Client({ webhookUrl, allowInsecureHttp: true, rateLimit: 'standard' });
    return async (take) => {
      for (let start = 0; ; ) {
        const page = await client.crm.lead.list({ select, order: { ID: 'ASC' }, start });
        take(page.result);
        if (page.next === undefined) break;
        start = page.next;
      }
    };
  }
  if (mode === 'b24jssdk') {
    const { B24Hook } = await import('@bitrix24/b24jssdk');
    const url = new URL(webhookUrl);
    const [, , userId, secret] = url.pathname.split('/');
    // Typed loosely: the benchmark reaches into the SDK's HTTP client, which its typings do not describe.
    const sdk = /** @type {any} */ (
      new B24Hook(
        { b24Url: url.origin, userId: Number(userId), secret },
        { restrictionParams: { rateLimit: { burstLimit: 50, drainRate: 2, adaptiveEnabled: false } } },
      )
    );
    // The SDK builds https:// URLs from b24Url; the loopback server speaks plain HTTP.
    sdk.getHttpClient('v2').ajaxClient.interceptors.request.use((config) => ({ ...config, url: config.url.replace('https://', 'http://') }));
    return async (take) => {
      for await (const page of sdk.actions.v2.fetchList.make({ method: 'crm.lead.list', params: { select } })) take(page);
    };
  }
  throw new Error(`unknown mode ${mode}`);
}

const read = await prepare();
// Warm-up outside the count (the server's stats route): loads fetch's HTTP stack, which Node loads on first use.
await fetch(new URL('/__stats', webhookUrl)).then((r) => r.text());
global.gc?.();
sample();
const baselineRss = process.memoryUsage().rss;
const baselineHeap = process.memoryUsage().heapUsed;
const timer = setInterval(sample, 20);
const check = checker();
const started = performance.now();
let error;
try {
  await read((rows) => check.take(rows));
} catch (thrown) {
  error = String(thrown?.message ?? thrown);
}
const wallMs = performance.now() - started;
clearInterval(timer);
sample();
// What the read left behind once garbage is collected: RSS growth above is mostly V8 sizing its heap.
global.gc?.();
const heapRetainedMB = Number(((process.memoryUsage().heapUsed - baselineHeap) / 1e6).toFixed(1));
console.log(
  JSON.stringify({
    mode,
    ...check.result,
    wallMs: Math.round(wallMs),
    baselineRss,
    peakRss,
    rssGrowthMB: Number(((peakRss - baselineRss) / 1e6).toFixed(1)),
    heapRetainedMB,
    error,
  }),
);
