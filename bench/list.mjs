// Reading every lead: readAll (ID window, 50 pages per batch) over crm.lead.list and over crm.item.list
// against startSandbox seeded with N leads
// and the server bucket at the standard plan, beside @bitrix24/b24jssdk's fetchList (ID window, a page
// per request) and plain page-after-page reading through our client; each client in its own process
// (so RSS is its own), each against a fresh server process (so the bucket starts empty). Plus one
// in-process sandbox list page at 100,000 leads. All from the built package (dist/lib, rebuilt first).
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { bucketBoundMs } from './bulk.mjs';

/** The standard plan's bucket (limits.md): drains 2 requests a second, refuses past 50. */
export const STANDARD_BUCKET = { drainPerSecond: 2, burst: 50 };

/** Requests the ID window needs for N records: 2,500 a batch, and the empty page when N is a multiple of it. */
export const fastBound = (n) => Math.ceil(n / 2_500) + (n % 2_500 === 0 ? 1 : 0);
/** Requests a page-per-request reader needs: 50 records a page (an ID-window reader also needs the empty page when N is a multiple of 50). */
const pageBound = (n, window) => Math.ceil(n / 50) + (window && n % 50 === 0 ? 1 : 0);

/** Spawns `node script args…`, waits for its first stdout line, parses it as JSON. */
async function firstLine(script, args, keepRunning) {
  const child = spawn(process.execPath, ['--expose-gc', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before printing`)));
    createInterface({ input: child.stdout }).once('line', resolve);
  });
  child.removeAllListeners('exit');
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve(undefined);
      child.once('exit', () => resolve(undefined));
      if (!keepRunning) return;
      child.kill('SIGTERM');
    });
  return { value: JSON.parse(line), stop };
}

/** One contender against a fresh server of `leads` leads. */
async function contend({ root, ourModule, leads, mode }) {
  const server = await firstLine(join(root, 'bench', 'list-serve.mjs'), [String(leads), 'standard'], true);
  try {
    const { webhookUrl, statsUrl } = server.value;
    const worker = await firstLine(join(root, 'bench', 'list-worker.mjs'), [ourModule, webhookUrl, mode], false);
    await worker.stop();
    const stats = await fetch(statsUrl).then((r) => r.json());
    return { ...worker.value, requests: stats.requests, rejected503: stats.rejected503 };
  } finally {
    await server.stop();
  }
}

const NOTES = {
  fast: 'readAll / readPages: ID window, start -1, 50 pages chained per batch',
  item: 'readAll / readPages over crm.item.list (entityTypeId 1): the same ID window, result.items',
  next: 'client.crm.lead.list page after page, following `next` (counts total each time)',
  b24jssdk: '@bitrix24/b24jssdk actions.v2.fetchList: ID window, one page per request, its limiter at 50 / 2 per s',
};

/** Median and 95th percentile of one in-process list call at random windows over 100,000 leads. */
async function inProcessPage({ root, leads, calls, log }) {
  const { createSandbox } = await import(pathToFileURL(join(root, 'dist', 'lib', 'src', 'node', 'sandbox.js')).href);
  const seedLeads = Array.from({ length: leads }, (_, i) => ({ id: i + 1, fields: { TITLE: `Lead ${i + 1}`, STATUS_ID: i % 3 ? 'NEW' : 'IN_PROCESS' } }));
  const sandbox = createSandbox({ seed: { leads: seedLeads, contacts: [] } });
  const url = 'https://sandbox.bitrix24.test/rest/1/benchwebhookcode/crm.lead.list';
  const shapes = {
    'ID window (>ID, start -1)': (i) => ({ order: { ID: 'ASC' }, filter: { '>ID': (i * 7_919) % leads }, start: -1, select: ['ID', 'TITLE'] }),
    'ID window, newest first (<ID)': (i) => ({ order: { ID: 'DESC' }, filter: { '<ID': leads - ((i * 7_919) % leads) }, start: -1, select: ['ID', 'TITLE'] }),
    'ID window + STATUS_ID filter': (i) => ({
      order: { ID: 'ASC' },
      filter: { '>ID': (i * 7_919) % leads, STATUS_ID: 'NEW' },
      start: -1,
      select: ['ID', 'TITLE'],
    }),
    'start = N with total (count)': (i) => ({ order: { ID: 'ASC' }, start: ((i * 7_919) % leads) - (((i * 7_919) % leads) % 50), select: ['ID', 'TITLE'] }),
  };
  const rows = [];
  for (const [shape, paramsOf] of Object.entries(shapes)) {
    const times = [];
    for (let i = 0; i < calls + 50; i++) {
      const body = JSON.stringify(paramsOf(i));
      const started = performance.now();
      const answer = await sandbox.handle({ method: 'POST', url, contentType: 'application/json', body });
      const ms = performance.now() - started;
      if (answer.status !== 200) throw new Error(`${shape}: ${answer.status} ${JSON.stringify(answer.body)}`);
      if (i >= 50) times.push(ms); // the first 50 warm up
      if (i % 100 === 0) sandbox.clearCalls();
    }
    times.sort((a, b) => a - b);
    const at = (q) => Number(times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(3));
    rows.push({ shape, calls, medianMs: at(0.5), p95Ms: at(0.95), maxMs: Number(times[times.length - 1].toFixed(3)) });
    log(`  in-process ${shape}: median ${at(0.5)} ms, p95 ${at(0.95)} ms`);
  }
  return rows;
}

/**
 * @param {{ root: string, ourModule: string, quick?: boolean, full?: boolean, log?: (line: string) => void }} options
 *   full: also run the page-per-request contenders at 100,000 (each ≥ 975 s at the standard plan)
 */
export async function measureList({ root, ourModule, quick = false, full = false, log = () => {} }) {
  log('  building dist/lib (the files the package ships)…');
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  const sizes = quick ? [10_000] : [10_000, 100_000];
  const rows = [];
  for (const leads of sizes) {
    for (const mode of ['fast', 'item', 'next', 'b24jssdk']) {
      const windowed = mode === 'fast' || mode === 'item';
      const boundRequests = windowed ? fastBound(leads) : pageBound(leads, mode === 'b24jssdk');
      const boundMs = Math.round(bucketBoundMs(boundRequests, STANDARD_BUCKET));
      const row = {
        leads,
        name: mode === 'b24jssdk' ? '@bitrix24/b24jssdk' : mode === 'item' ? 'b24-lead-contact crm.item' : `b24-lead-contact ${mode}`,
        mode,
        note: NOTES[mode],
        boundRequests,
        boundMs,
      };
      if (!windowed && leads > 10_000 && !full) {
        rows.push({ ...row, skipped: `not run: ${boundRequests} requests, ≥ ${Math.round(boundMs / 1000)} s at the standard plan (pass --full)` });
        continue;
      }
      log(`  ${row.name}: ${leads.toLocaleString('en-US')} leads…`);
      const measured = await contend({ root, ourModule, leads, mode });
      log(
        `    ${measured.records} records, ${measured.requests} requests, ${measured.rejected503} × 503, ${(measured.wallMs / 1000).toFixed(2)} s, RSS +${measured.rssGrowthMB} MB, heap kept ${measured.heapRetainedMB} MB${measured.error ? `, error: ${measured.error}` : ''}`,
      );
      rows.push({ ...row, ...measured, ratioToBound: boundMs > 0 ? Number((measured.wallMs / boundMs).toFixed(3)) : null });
    }
  }
  log('  in-process list page at 100,000 leads…');
  const pageRows = await inProcessPage({ root, leads: 100_000, calls: quick ? 200 : 1_000, log });
  return { bucket: STANDARD_BUCKET, rows, pageRows };
}
