#!/usr/bin/env node
// The benchmarks, side by side in one run, all on loopback: per-call overhead against bare fetch and
// the two SDKs, browser bundle size, bulk linking at the rate-limit bound, and several worker
// processes sharing that bound through Redis, and the sandbox (in-process, over HTTP next to the Prism
// mock, CLI start, browser entries).
// Usage: npm run bench [-- --only overhead,bundle,bulk,fleet,sandbox,readall] [-- --quick]
// Prints Markdown tables and writes dist/bench/results.json and dist/bench/results.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { measureBulk } from './bulk.mjs';
import { measureBundles } from './bundle-size.mjs';
import { measureFleet } from './fleet.mjs';
import { measureOverhead } from './overhead.mjs';
import { measureReadAll } from './read-all.mjs';
import { measureSandbox } from './sandbox.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'dist', 'bench');
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const onlyIndex = argv.indexOf('--only');
const only = new Set(onlyIndex >= 0 ? argv[onlyIndex + 1].split(',') : ['overhead', 'bundle', 'bulk', 'fleet', 'sandbox', 'readall']);
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

if (only.has('readall')) {
  const sizes = quick ? [10_000] : [10_000, 100_000];
  log(`Reading every lead (${sizes.join(', ')})…`);
  const readall = (results.readall = await measureReadAll({ ours, root, sizes, log }));
  const { drainPerSecond, burst } = readall.bucket;
  const seconds = (ms) => (ms === null || ms === undefined ? null : `${(ms / 1000).toFixed(2)} s`);
  sections.push(
    `### Reading every lead against the sandbox with a server bucket of drain ${drainPerSecond}/s, burst ${burst} (the standard plan)\n\n` +
      table(
        ['reader', 'leads', 'all once, in order', 'HTTP requests (target ⌈N/2,500⌉+1)', '503 received', 'wall time', 'bucket bound', 'RSS growth', 'how'],
        readall.rows.map((r) => [
          r.name,
          r.count,
          r.complete ? 'yes' : 'NO',
          `${r.requests} (${r.requestBound})`,
          r.rejected503,
          seconds(r.wallMs),
          seconds(r.boundMs),
          `${r.rssGrowthMb} MB`,
          r.note,
        ]),
      ) +
      `\n\nOne in-process \`crm.lead.list\` page at 100,000 leads (\`>ID\`, order by ID, \`start: -1\`): median ${readall.page.medianMs} ms, p99 ${readall.page.p99Ms} ms over ${readall.page.rounds} pages.`,
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
    '### Sandbox: targets (issue 10)\n\n' +
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

const markdown = `Node ${results.node}, ${results.cpu}, ${results.date}\n\n${sections.join('\n\n')}\n`;
writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(outDir, 'results.md'), markdown);
console.log(markdown);
log(`Written: ${join('dist', 'bench', 'results.json')} and results.md`);
