#!/usr/bin/env node
// The benchmarks, side by side in one run, all on loopback: per-call overhead against bare fetch and
// the two SDKs, browser bundle size, bulk linking at the rate-limit bound, and several worker
// processes sharing that bound through Redis, and the sandbox (in-process, over HTTP next to the Prism
// mock, CLI start, browser entries).
// Usage: npm run bench [-- --only overhead,bundle,bulk,fleet,sandbox,list,events] [-- --quick] [-- --full]
// Prints Markdown tables and writes dist/bench/results.json and dist/bench/results.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { measureBulk } from './bulk.mjs';
import { measureBundles } from './bundle-size.mjs';
import { measureEvents } from './events.mjs';
import { measureFleet } from './fleet.mjs';
import { measureList } from './list.mjs';
import { measureOverhead } from './overhead.mjs';
import { measureSandbox } from './sandbox.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'dist', 'bench');
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const onlyIndex = argv.indexOf('--only');
const only = new Set(onlyIndex >= 0 ? argv[onlyIndex + 1].split(',') : ['overhead', 'bundle', 'bulk', 'fleet', 'sandbox', 'list', 'events']);
const log = (line) => process.stderr.write(`${line}\n`);

/** Compiles src/ for Node into dist/bench (dependencies stay imports), so the run does not depend on dist/lib. */
async function loadOurs() {
  const file = join(outDir, 'b24-lead-contact.node.mjs');
  await build({
    entryPoints: [join(root, 'src', 'index.ts')],
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: file,
    logLevel: 'silent',
  });
  return import(pathToFileURL(file).href);
}

const fmt = (n) => (n === null || n === undefined ? '–' : typeof n === 'number' ? n.toLocaleString('en-US') : String(n));
const table = (head, rows) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(fmt).join(' | ')} |`)].join('\n');

mkdirSync(outDir, { recursive: true });
const ours = await loadOurs();
const results = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: `${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}`,
  quick,
};
const sections = [];

if (only.has('overhead')) {
  log('Per-call overhead…');
  results.overhead = await measureOverhead({ ours, rounds: quick ? 3 : 9, callsPerRound: quick ? 300 : 1000, warmup: quick ? 100 : 300, log });
  const { rounds, callsPerRound } = results.overhead;
  sections.push(
    `### Per-call overhead (sequential calls, median of ${rounds} rounds × ${callsPerRound})\n\n` +
      table(
        ['client', 'calls/s', 'µs/call', '× bare fetch', 'overhead vs fetch', 'how'],
        results.overhead.rows.map((r) => [r.name, r.callsPerSecond, r.microsPerCall, r.ratioToFetch, `${r.overheadPercent}%`, r.note]),
      ),
  );
}

if (only.has('bundle')) {
  log('Bundle size…');
  results.bundle = await measureBundles({ root, outDir: join(outDir, 'bundles') });
  sections.push(
    '### Browser bundle of a one-call app (esbuild, minified, platform browser)\n\n' +
      table(
        ['app', 'raw bytes', 'gzip bytes', 'modules', 'what'],
        results.bundle.rows.map((r) => [r.name, r.rawBytes, r.gzipBytes, r.inputs, r.note]),
      ) +
      '\n\nWhere the bytes go (minified bytes per module; the size-limit budgets in package.json gate `npm test`):\n\n' +
      table(
        ['module', ...results.bundle.rows.filter((r) => r.modules).map((r) => r.name)],
        [...new Set(results.bundle.rows.flatMap((r) => (r.modules ?? []).map((m) => m.module)))].map((module) => [
          module,
          ...results.bundle.rows.filter((r) => r.modules).map((r) => r.modules.find((m) => m.module === module)?.bytes ?? 0),
        ]),
      ),
  );
}

if (only.has('bulk')) {
  const commands = quick ? 2_000 : 10_000;
  log(`Bulk: ${commands} link commands…`);
  const bulk = (results.bulk = await measureBulk({ ours, commands, log }));
  const { drainPerSecond, burst } = bulk.bucket;
  const seconds = (ms) => (ms === null ? null : `${(ms / 1000).toFixed(2)} s`);
  sections.push(
    `### Bulk: ${fmt(commands)} link commands against a server bucket of drain ${drainPerSecond}/s, burst ${burst}\n\n` +
      table(
        ['client', 'HTTP requests (bound ⌈N/50⌉)', '503 received', 'commands ok', 'wall time', 'bucket bound', 'wall / bound', 'how'],
        bulk.rows.map((r) => [
          r.name,
          r.requests === null ? null : `${r.requests} (${r.boundRequests})`,
          r.rejected503,
          r.succeeded === null ? null : `${r.succeeded}/${commands}`,
          seconds(r.wallMs),
          seconds(r.boundMs),
          r.ratioToBound,
          r.note,
        ]),
      ),
  );
}

if (only.has('fleet')) {
  const workers = 4;
  const commandsPerWorker = quick ? 500 : 2_500;
  log(`Fleet: ${workers} worker processes × ${commandsPerWorker} link commands…`);
  const fleet = (results.fleet = await measureFleet({ root, outDir, workers, commandsPerWorker, log }));
  const { drainPerSecond, burst } = fleet.bucket;
  const seconds = (ms) => (ms === null ? null : `${(ms / 1000).toFixed(2)} s`);
  sections.push(
    `### Fleet: ${workers} processes × ${fmt(commandsPerWorker)} link commands (client.bulk) against one server bucket of drain ${drainPerSecond}/s, burst ${burst}\n\n` +
      table(
        ['clients', 'HTTP requests (bound ⌈N/50⌉)', '503 received', 'commands ok', 'wall time', 'bucket bound', 'wall / bound', 'how'],
        fleet.rows.map((r) => [
          r.name,
          r.requests === null ? null : `${r.requests} (${r.boundRequests})`,
          r.rejected503,
          r.succeeded === null ? null : `${r.succeeded}/${fleet.total}`,
          seconds(r.wallMs),
          seconds(r.boundMs),
          r.ratioToBound,
          r.note,
        ]),
      ),
  );
}

if (only.has('sandbox')) {
  log('Sandbox…');
  const sandbox = (results.sandbox = await measureSandbox({ root, quick, log }));
  const kb = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;
  sections.push(
    '### Sandbox: targets\n\n' +
      table(
        ['target', 'measured', 'met'],
        sandbox.targets.map((t) => [t.target, t.measured, t.met ? 'yes' : 'no']),
      ),
    `### Sandbox: sequential client calls (\`rateLimit: false\`), median of rounds; in-process ${sandbox.inProcess.rounds} × ${fmt(sandbox.inProcess.callsPerRound)} per call, HTTP ${sandbox.http.rounds} × ${sandbox.http.callsPerRound} (blocks of ${sandbox.http.block}, interleaved)\n\n` +
      table(
        ['transport', 'server', 'call', 'calls/s', 'ms/call (mean)', '× Prism mock', 'server CPU ms/call'],
        sandbox.callRows.map((r) => [r.transport, r.server, r.method, r.callsPerSecond, r.msPerCall, r.ratioToPrism, r.serverCpuMsPerCall]),
      ) +
      `\n\nHTTP servers: ${sandbox.http.servers}; bitrix-server answers \`true\` to everything (no contract, no state): the loopback ceiling for this client. Server CPU: user + system time of the server's process tree over the HTTP phase (warm-up included) per call it served, from /proc.`,
    '### Sandbox: from spawn to the first 200 of a real call (`items.get`)\n\n' +
      table(
        ['server', 'command', 'URL printed (median)', 'first 200 (median)', 'min–max', 'spawns'],
        sandbox.startRows.map((r) => [r.name, `\`${r.command}\``, `${r.printedMs} ms`, `${r.answeredMs} ms`, `${r.minMs}–${r.maxMs} ms`, r.spawns]),
      ),
    '### Sandbox: browser bundles by entry point (esbuild, minified, platform browser)\n\n' +
      table(
        ['app', 'raw', 'gzip', 'modules', 'sandbox/MSW modules', 'Node-only modules', 'generated/', 'src/wire in it (bytes)', 'what'],
        sandbox.bundleRows.map((r) => [
          r.name,
          kb(r.rawBytes),
          kb(r.gzipBytes),
          r.modules,
          Object.keys(r.sandboxInputs).length,
          Object.keys(r.nodeOnlyInputs).length,
          kb(r.generatedBytes),
          Object.entries(r.wireInputs)
            .map(([path, bytes]) => `${path.slice('src/wire/'.length)} ${bytes}`)
            .join(', ') || 'none',
          r.note,
        ]),
      ),
  );
}

if (only.has('events')) {
  log('Event deliveries against REST time…');
  const events = (results.events = await measureEvents({ root, quick, log }));
  sections.push(
    `### Event deliveries: ${events.calls} sequential crm.lead.update calls over HTTP, median of ${events.rounds} interleaved rounds, each starting one setup later (target: a bound handler adds at most 10% by the median of the rounds' own ratios; met: ${events.targetMet ? 'yes' : 'no'})\n\n` +
      table(
        [
          'setup',
          'ms per call',
          'added to REST time',
          "median of rounds' own ratios",
          'sandbox CPU µs per call, posts included',
          'last post received after the last call',
          'delivery outcomes',
        ],
        events.rows.map((r) => [
          r.setup,
          r.msPerCall,
          `${r.addedPercent}%`,
          `${r.addedPercentPerRound}%`,
          r.sandboxCpuMicrosPerCall,
          r.drainedMs === undefined ? '–' : `${r.drainedMs} ms`,
          Object.entries(r.outcomes)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ') || '–',
        ]),
      ),
  );
}

if (only.has('list')) {
  log('List: reading every lead…');
  const list = (results.list = await measureList({ root, ourModule: join(outDir, 'b24-lead-contact.node.mjs'), quick, full: argv.includes('--full'), log }));
  const { drainPerSecond, burst } = list.bucket;
  const seconds = (ms) => (ms === null || ms === undefined ? null : `${(ms / 1000).toFixed(2)} s`);
  sections.push(
    `### List: reading every lead from startSandbox, server bucket at the standard plan (drain ${drainPerSecond}/s, burst ${burst}), each client in its own process\n\n` +
      table(
        [
          'leads',
          'client',
          'records (in order)',
          'HTTP requests (bound)',
          '503 received',
          'wall time',
          'bucket bound',
          'RSS growth',
          'heap kept after GC',
          'how',
        ],
        list.rows.map((r) =>
          r.skipped
            ? [r.leads, r.name, null, `– (${r.boundRequests})`, null, null, seconds(r.boundMs), null, null, r.skipped]
            : [
                r.leads,
                r.name,
                `${r.records}${r.inOrder ? '' : ' (out of order!)'}${r.error ? ` error: ${r.error}` : ''}`,
                `${r.requests} (${r.boundRequests})`,
                r.rejected503,
                seconds(r.wallMs),
                seconds(r.boundMs),
                `${r.rssGrowthMB} MB`,
                r.heapRetainedMB === undefined ? null : `${r.heapRetainedMB} MB`,
                r.note,
              ],
        ),
      ) +
      "\n\nBucket bound: the fastest the portal's bucket lets the bound number of requests through from empty, max(0, requests − burst) / drain. Below the burst it is 0 and the wall time is the server's and the client's own work.",
    '### List: one in-process sandbox list page at 100,000 leads (`sandbox.handle`, validation and encoding included)\n\n' +
      table(
        ['page', 'calls', 'median', 'p95', 'max'],
        list.pageRows.map((r) => [r.shape, r.calls, `${r.medianMs} ms`, `${r.p95Ms} ms`, `${r.maxMs} ms`]),
      ),
  );
}

const markdown = `Node ${results.node}, ${results.cpu}, ${results.date}\n\n${sections.join('\n\n')}\n`;
writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(outDir, 'results.md'), markdown);
console.log(markdown);
log(`Written: ${join('dist', 'bench', 'results.json')} and results.md`);
