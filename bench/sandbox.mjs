// The sandbox against its performance targets (README, Performance), side by side in one run, all from the built package
// (dist/lib, rebuilt first): sequential client calls in-process through `sandbox.fetch` (no socket);
// the same client calls over loopback HTTP against startSandbox, the Prism mock and
// bench/bitrix-server.mjs (a canned answer: what the client and loopback allow at best), each server
// in its own process, interleaved in blocks; the CLI from spawn to its first 200; and the browser
// bundles of the main entry, the sandbox's browser entry and the MSW entry.
import { execFileSync, spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { apps } from './bundle-size.mjs';
import { serveInChild } from './serve.mjs';

const GET = { id: 1 };
const ADD = { id: 1, fields: { CONTACT_ID: 1010, IS_PRIMARY: 'Y' } };
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * The two calls each contender makes, through one client.
 * @param {any} client
 * @param {string} server
 * @param {boolean} canned the server answers `true` to everything (no contract, no state)
 */
function callsOf(client, server, canned) {
  const expectList = (/** @type {unknown} */ r) => canned || (Array.isArray(r) && r.length > 0);
  const expectBoolean = (/** @type {unknown} */ r) => typeof r === 'boolean';
  return [
    { name: `${server} items.get`, server, method: 'crm.lead.contact.items.get', call: () => client.crm.lead.contact.items.get(GET), expect: expectList },
    { name: `${server} add`, server, method: 'crm.lead.contact.add', call: () => client.crm.lead.contact.add(ADD), expect: expectBoolean },
  ];
}

/**
 * The same two calls sent by a bare keep-alive `node:http` driver instead of the client, so a round
 * trip costs the server's share and little else: the servers' own throughput, side by side.
 * @param {string} webhookUrl
 * @param {string} server
 */
function rawCallsOf(webhookUrl, server) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const post = (/** @type {string} */ method, /** @type {unknown} */ params) => {
    const body = JSON.stringify(params);
    const url = new URL(`${webhookUrl}${method}`);
    return () =>
      new Promise((resolve, reject) => {
        const req = request(
          {
            host: url.hostname,
            port: url.port,
            path: url.pathname,
            method: 'POST',
            agent,
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk) => (text += chunk));
            res.on('end', () => resolve(res.statusCode === 200 ? JSON.parse(text).result : undefined));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
  };
  return [
    { name: `${server} items.get`, server, call: post('crm.lead.contact.items.get', GET), expect: (/** @type {unknown} */ r) => r !== undefined },
    { name: `${server} add`, server, call: post('crm.lead.contact.add', ADD), expect: (/** @type {unknown} */ r) => r !== undefined },
  ];
}

/**
 * Runs the contenders in turns of `block` calls, in an order that rotates per block and round, so a
 * change in background load hits all of them alike. Returns calls/s per contender per round.
 * @param {Array<{ name: string, call: () => Promise<unknown>, expect: (r: unknown) => boolean }>} list
 * @param {{ rounds: number, callsPerRound: number, block: number, warmup: number, afterRound?: () => void, log: (line: string) => void, label: string }} options
 */
async function interleave(list, { rounds, callsPerRound, block, warmup, afterRound, log, label }) {
  for (const contender of list) {
    const result = await contender.call();
    if (!contender.expect(result)) throw new Error(`${contender.name} answered ${JSON.stringify(result)}`);
    for (let i = 0; i < warmup; i++) await contender.call();
  }
  afterRound?.();
  /** @type {Map<string, number[]>} */
  const perRound = new Map(list.map((c) => [c.name, []]));
  const blocks = Math.ceil(callsPerRound / block);
  for (let round = 0; round < rounds; round++) {
    const spent = new Map(list.map((c) => [c.name, 0]));
    for (let b = 0; b < blocks; b++) {
      for (let i = 0; i < list.length; i++) {
        const contender = list[(i + b + round) % list.length];
        const started = performance.now();
        for (let call = 0; call < block; call++) await contender.call();
        spent.set(contender.name, (spent.get(contender.name) ?? 0) + performance.now() - started);
      }
    }
    for (const contender of list) perRound.get(contender.name)?.push((blocks * block * 1000) / (spent.get(contender.name) ?? 0));
    afterRound?.();
    log(`  ${label} round ${round + 1}/${rounds}`);
  }
  return perRound;
}

/**
 * CPU time (user + system, ms) a process and all its descendants have used so far, from Linux's
 * /proc (clock ticks of 10 ms); null where there is no /proc.
 * @param {number} pid
 */
function cpuMsOfTree(pid) {
  /** @type {Map<number, { ppid: number, ticks: number }>} */
  const table = new Map();
  let entries;
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  for (const name of entries) {
    try {
      // The command name (field 2) may hold spaces: fields are counted after its closing parenthesis.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      table.set(Number(name), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // The process ended while the table was read.
    }
  }
  let ticks = 0;
  const queue = [pid];
  while (queue.length > 0) {
    const current = /** @type {number} */ (queue.pop());
    ticks += table.get(current)?.ticks ?? 0;
    for (const [child, entry] of table) if (entry.ppid === current) queue.push(child);
  }
  return ticks * 10;
}

/** Starts bench/sandbox-serve.mjs in its own process. @param {'sandbox' | 'prism'} kind */
async function serveSandboxInChild(kind) {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'sandbox-serve.mjs'), kind], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
    createInterface({ input: child.stdout }).once('line', resolve);
  });
  return {
    webhookUrl: /** @type {string} */ (JSON.parse(line).webhookUrl),
    pid: /** @type {number} */ (child.pid),
    close: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve(undefined));
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Time from spawning a server command to the first 200 answer of a real call to the URL it prints.
 * @param {string[]} args
 * @param {(line: string) => string | undefined} callUrlFrom the URL of `crm.lead.contact.items.get` read off a stdout line
 */
async function timeToFirstAnswer(args, callUrlFrom) {
  const started = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-2000);
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const url = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${args.join(' ')} printed no URL within 60 s`)), 60_000);
      child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}: ${stderr}`)));
      createInterface({ input: child.stdout }).on('line', (line) => {
        const found = callUrlFrom(line);
        if (found) {
          clearTimeout(timer);
          resolve(found);
        }
      });
    });
    const printedMs = performance.now() - started;
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(GET) });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${text}`);
    return { printedMs, answeredMs: performance.now() - started };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

/** @param {Array<{ printedMs: number, answeredMs: number }>} runs */
const startRow = (runs) => ({
  spawns: runs.length,
  printedMs: Math.round(median(runs.map((r) => r.printedMs))),
  answeredMs: Math.round(median(runs.map((r) => r.answeredMs))),
  minMs: Math.round(Math.min(...runs.map((r) => r.answeredMs))),
  maxMs: Math.round(Math.max(...runs.map((r) => r.answeredMs))),
});

/** Maps the package's export subpaths to their source files (dist/lib/src/x.js → src/x.ts), with `browser` first. */
function packageEntries(root) {
  const { exports } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  /** @type {Record<string, string>} */
  const entries = {};
  for (const subpath of ['.', './sandbox', './msw']) {
    const conditions = exports[subpath];
    const target = conditions.browser ?? conditions.import ?? conditions.default;
    entries[join('b24-lead-contact', subpath)] = join(root, target.replace(/^\.\/dist\/lib\//, '').replace(/\.js$/, '.ts'));
  }
  return entries;
}

// Code of the sandbox and its MSW front (never the client's), and code for Node or dev tools only (never a browser's).
const SANDBOX = /^(src\/sandbox\/|src\/msw\.ts$|generated\/validators|generated\/openapi|node_modules\/msw\/)/;
const NODE_ONLY = /^(src\/(node|dev|scenarios)\/|node:)/;

/** The same one-call app as the bundle section, and the sandbox's entries, bundled for the browser. */
async function measureEntryBundles(root) {
  const entries = packageEntries(root);
  /** @type {import('esbuild').Plugin} */
  const resolvePackage = {
    name: 'package-entries',
    setup(b) {
      b.onResolve({ filter: /^b24-lead-contact(\/|$)/ }, (args) => (entries[args.path] ? { path: entries[args.path] } : undefined));
    },
  };
  const WEBHOOK = `location.origin + '/rest/1/code/'`;
  const show = `.then((r) => { document.body.textContent = String(r); })`;
  /** @type {Array<[string, string, string, string[]]>} name, note, source, external */
  const list = [
    ['client (main entry)', 'the bundle section’s one-call app', apps['b24-lead-contact'][1], []],
    [
      'sandbox browser entry',
      `everything b24-lead-contact/sandbox exports (${entries['b24-lead-contact/sandbox'].slice(root.length + 1)})`,
      `export * from 'b24-lead-contact/sandbox';`,
      [],
    ],
    [
      'client + in-process sandbox',
      'the one-call app answered by createSandbox().fetch',
      `import { createBitrix24Client } from 'b24-lead-contact'; import { createSandbox } from 'b24-lead-contact/sandbox';
      createBitrix24Client({ webhookUrl: ${WEBHOOK}, fetch: createSandbox().fetch }).crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1010 } })${show};`,
      [],
    ],
    [
      'msw entry',
      `everything b24-lead-contact/msw exports (${entries['b24-lead-contact/msw'].slice(root.length + 1)}), msw itself external`,
      `export * from 'b24-lead-contact/msw';`,
      ['msw'],
    ],
    [
      'msw/browser + sandbox handlers',
      'setupWorker(...sandboxHandlers(createSandbox())).start(), msw bundled',
      `import { setupWorker } from 'msw/browser'; import { sandboxHandlers } from 'b24-lead-contact/msw'; import { createSandbox } from 'b24-lead-contact/sandbox';
      setupWorker(...sandboxHandlers(createSandbox())).start();`,
      [],
    ],
  ];
  const rows = [];
  for (const [name, note, source, external] of list) {
    const result = await build({
      stdin: { contents: source, resolveDir: root, sourcefile: 'app.js', loader: 'js' },
      absWorkingDir: root,
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
      external,
      plugins: [resolvePackage],
      metafile: true,
    });
    const code = result.outputFiles[0].contents;
    // What the minified output holds of each input (a module whose code is all shaken off holds 0 bytes).
    const held = Object.entries(Object.values(result.metafile.outputs)[0].inputs).filter(([, input]) => input.bytesInOutput > 0);
    const bytesOf = (/** @type {RegExp} */ pattern) =>
      Object.fromEntries(held.filter(([path]) => pattern.test(path)).map(([path, input]) => [path, input.bytesInOutput]));
    rows.push({
      name,
      note,
      rawBytes: code.length,
      gzipBytes: gzipSync(code, { level: 9 }).length,
      modules: held.length,
      sandboxInputs: bytesOf(SANDBOX),
      nodeOnlyInputs: bytesOf(NODE_ONLY),
      wireInputs: bytesOf(/^src\/wire\//),
      generatedBytes: Object.values(bytesOf(/^generated\//)).reduce((sum, bytes) => sum + bytes, 0),
    });
  }
  return rows;
}

/**
 * @param {{ root: string, quick?: boolean, log?: (line: string) => void }} options
 */
export async function measureSandbox({ root, quick = false, log = () => {} }) {
  log('  building dist/lib (the files the package ships)…');
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  const lib = (/** @type {string} */ file) => import(pathToFileURL(join(root, 'dist', 'lib', 'src', file)).href);
  const { createBitrix24Client } = await lib('index.js');
  const { createSandbox } = await lib('node/sandbox.js');

  // 1. In-process: the client's transport calls sandbox.fetch; no socket, no serialisation beyond the body.
  const sandbox = createSandbox();
  const inProcessClient = createBitrix24Client({
    webhookUrl: 'https://sandbox.bitrix24.test/rest/1/benchwebhookcode/',
    fetch: sandbox.fetch,
    rateLimit: false,
  });
  const inProcessSettings = { rounds: quick ? 3 : 9, callsPerRound: quick ? 2_000 : 10_000, block: 500, warmup: quick ? 500 : 2_000 };
  const inProcess = await interleave(callsOf(inProcessClient, 'in-process', false), {
    ...inProcessSettings,
    // The journal keeps every call; emptied between rounds (untimed) so it does not grow all run.
    afterRound: () => sandbox.clearCalls(),
    log,
    label: 'in-process',
  });

  // 2. Over loopback HTTP: one client per server, same settings, each server in its own process.
  const servers = {
    startSandbox: await serveSandboxInChild('sandbox'),
    'Prism mock': await serveSandboxInChild('prism'),
    'bitrix-server': await serveInChild(),
  };
  const httpSettings = { rounds: quick ? 3 : 9, callsPerRound: quick ? 150 : 500, block: 50, warmup: quick ? 100 : 300 };
  let overHttp;
  let rawHttp;
  /** @type {Record<string, number>} */
  const served = {};
  /** @type {Record<string, number | null>} */
  const serverCpuMs = {};
  try {
    const list = Object.entries(servers).flatMap(([name, server]) =>
      callsOf(createBitrix24Client({ webhookUrl: server.webhookUrl, allowInsecureHttp: true, rateLimit: false }), name, name === 'bitrix-server').map(
        (contender) => ({
          ...contender,
          call: () => {
            served[name] = (served[name] ?? 0) + 1;
            return contender.call();
          },
        }),
      ),
    );
    // The servers' own CPU per call, apart from the client's share of each round trip.
    const cpuBefore = Object.fromEntries(Object.entries(servers).map(([name, server]) => [name, cpuMsOfTree(server.pid)]));
    overHttp = await interleave(list, { ...httpSettings, log, label: 'HTTP' });
    for (const [name, server] of Object.entries(servers)) {
      const after = cpuMsOfTree(server.pid);
      serverCpuMs[name] = after === null || cpuBefore[name] === null ? null : Number(((after - cpuBefore[name]) / served[name]).toFixed(3));
    }
    rawHttp = await interleave(
      Object.entries(servers).flatMap(([name, server]) => rawCallsOf(server.webhookUrl, name)),
      { ...httpSettings, log, label: 'HTTP (keep-alive driver)' },
    );
  } finally {
    await Promise.all(Object.values(servers).map((server) => server.close()));
  }

  const callRows = [];
  for (const [perRound, transport] of /** @type {const} */ ([
    [inProcess, 'in-process'],
    [overHttp, 'HTTP'],
    [rawHttp, 'HTTP, keep-alive driver'],
  ])) {
    for (const [name, rates] of perRound) {
      const server = name.slice(0, name.lastIndexOf(' '));
      const method = name.slice(name.lastIndexOf(' ') + 1);
      const callsPerSecond = median(rates);
      const prism = transport === 'in-process' ? undefined : median(perRound.get(`Prism mock ${method}`));
      callRows.push({
        transport,
        server,
        serverCpuMsPerCall: transport === 'HTTP' ? serverCpuMs[server] : null,
        method: method === 'add' ? 'crm.lead.contact.add' : 'crm.lead.contact.items.get',
        callsPerSecond: Math.round(callsPerSecond),
        msPerCall: Number((1000 / callsPerSecond).toFixed(4)),
        ratioToPrism: prism === undefined ? null : Number((callsPerSecond / prism).toFixed(2)),
        rounds: rates.map(Math.round),
      });
    }
  }

  // 3. The CLI, from spawn to the first 200 of a real call; the Prism mock's script the same way.
  const cli = join(root, 'dist', 'lib', 'src', 'node', 'cli.js');
  const cliRuns = [];
  const spawns = quick ? 3 : 9;
  for (let i = 0; i < spawns; i++) {
    cliRuns.push(await timeToFirstAnswer([cli, 'sandbox', '--port', '0'], (line) => line.match(/webhook:\s+(\S+)/)?.[1]?.concat('crm.lead.contact.items.get')));
  }
  log(`  CLI: ${spawns} spawns`);
  const mockRuns = [];
  const mockSpawns = quick ? 1 : 3;
  for (let i = 0; i < mockSpawns; i++) {
    mockRuns.push(
      await timeToFirstAnswer([join(root, 'scripts', 'mock.mjs'), '--port', '0'], (line) =>
        line.match(/(http:\/\/\S+)\/crm\.lead\.contact\.add/)?.[1]?.concat('/crm.lead.contact.items.get'),
      ),
    );
  }
  log(`  npm run mock's script: ${mockSpawns} spawns`);
  const startRows = [
    { name: 'sandbox CLI', command: 'node dist/lib/src/node/cli.js sandbox --port 0', ...startRow(cliRuns) },
    { name: 'Prism mock', command: 'node scripts/mock.mjs --port 0', ...startRow(mockRuns) },
  ];

  // 4. Bundles.
  const bundleRows = await measureEntryBundles(root);

  const http = (/** @type {string} */ server, /** @type {string} */ method, transport = 'HTTP') =>
    callRows.find((r) => r.transport === transport && r.server === server && r.method === method);
  const worstInProcess = Math.max(...callRows.filter((r) => r.transport === 'in-process').map((r) => r.msPerCall));
  const ratios = ['crm.lead.contact.items.get', 'crm.lead.contact.add'].map((m) => http('startSandbox', m)?.ratioToPrism ?? 0);
  const rawRatios = ['crm.lead.contact.items.get', 'crm.lead.contact.add'].map((m) => http('startSandbox', m, 'HTTP, keep-alive driver')?.ratioToPrism ?? 0);
  const main = bundleRows[0];
  const mainForeign = [...Object.keys(main.sandboxInputs), ...Object.keys(main.nodeOnlyInputs)];
  const targets = [
    { target: 'in-process call through the client ≤ 0.1 ms mean', measured: `${worstInProcess} ms (slower of the two calls)`, met: worstInProcess <= 0.1 },
    {
      target: 'over HTTP ≥ 10× the Prism mock’s calls/s',
      measured: `servers alone (keep-alive driver): ${rawRatios.join('× / ')}×; through the client: ${ratios.join('× / ')}× (items.get / add)`,
      met: Math.min(...rawRatios) >= 10,
    },
    {
      target: 'CLI answering < 1 s after spawn',
      measured: `${startRows[0].answeredMs} ms median of ${startRows[0].spawns}`,
      met: startRows[0].answeredMs < 1000,
    },
    {
      target: 'main entry’s browser bundle free of sandbox code',
      measured: mainForeign.length === 0 ? `none of its ${main.modules} modules is sandbox, MSW or Node-only code` : mainForeign.join(', '),
      met: mainForeign.length === 0,
    },
  ];
  return {
    inProcess: inProcessSettings,
    http: {
      ...httpSettings,
      servers: 'each in its own process: startSandbox (one process), Prism mock (front process + Prism child), bench/bitrix-server.mjs',
    },
    callRows,
    startRows,
    bundleRows,
    targets,
  };
}
