// Event deliveries against REST time (issue 25): sequential crm.lead.update calls over loopback HTTP
// to startSandbox (built dist/lib) in its own process, as a test suite's sandbox server runs, three
// ways interleaved in rounds: no handler bound; ONCRMLEADUPDATE bound to a handler that answers 200
// (a third process); bound to a handler that accepts and never answers. The deliveries run in the
// sandbox's process beside the calls; REST time is the calls' wall time only.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

/** Calls of each warm-up: the REST path alone, then with the answering handler bound. */
const WARM_UP_CALLS = 200;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** A handler in its own process: `answer` = 200 at once, or never (the request is held open). */
async function handlerInChild(answer) {
  const code = `
    const held = [];
    const server = require('node:http').createServer((req, res) => {
      req.resume();
      req.on('end', () => (${answer === 'never'} ? held.push(res) : res.writeHead(200).end('ok')));
    });
    server.listen(0, '127.0.0.1', () => console.log(server.address().port));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
  return { url: `http://127.0.0.1:${port}/events`, close: () => new Promise((resolve) => child.once('exit', resolve) && child.kill('SIGTERM')) };
}

/** startSandbox in its own process; its delivery log read once every delivery has ended. */
async function sandboxInChild(root) {
  const entry = pathToFileURL(join(root, 'dist', 'lib', 'src', 'node', 'sandbox.js')).href;
  // Default limits: a hung handler holds its slots for the whole 5 s timeout; its other posts wait.
  const code = `
    const { startSandbox } = await import(${JSON.stringify(entry)});
    const sandbox = await startSandbox({ limits: { maxDeliveryLog: 100000 } });
    console.log(sandbox.url);
    (await import('node:readline')).createInterface({ input: process.stdin }).on('line', (line) => {
      if (line === 'cpu') console.log(JSON.stringify(process.cpuUsage()));
      else console.log(JSON.stringify(sandbox.deliveries.map((d) => ({ handler: d.handler, outcome: d.outcome }))));
    });`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise((resolve) => lines.once('line', resolve));
  const ask = (command) =>
    new Promise((resolve) => {
      lines.once('line', (line) => resolve(JSON.parse(line)));
      child.stdin.write(`${command}\n`);
    });
  return {
    url,
    deliveryLog: () => ask('log'),
    /** CPU time the sandbox's process has used so far (µs, user + system), read between phases. */
    cpuMicros: async () => {
      const { user, system } = await ask('cpu');
      return user + system;
    },
    close: () => new Promise((resolve) => child.once('exit', resolve) && child.kill('SIGTERM')),
  };
}

/**
 * @param {{ root: string, quick?: boolean, log: (line: string) => void }} options
 */
export async function measureEvents({ root, quick = false, log }) {
  const { createBitrix24Client } = await import(pathToFileURL(join(root, 'dist', 'lib', 'src', 'index.js')).href);
  const calls = quick ? 300 : 1000;
  const rounds = quick ? 3 : 5;
  const answering = await handlerInChild('ok');
  const hung = await handlerInChild('never');
  const sandbox = await sandboxInChild(root);
  const admin = (path, init) => fetch(`${sandbox.url}/__sandbox/${path}`, init).then((r) => r.json());
  const app = (await admin('apps/install', { method: 'POST', body: JSON.stringify({ clientId: 'local.bench', clientSecret: 'bench-secret' }) })).result;
  const client = createBitrix24Client({ portal: sandbox.url, accessToken: app.access_token, allowInsecureHttp: true, rateLimit: false, retry: false });

  const setups = {
    'no handler': async () => {},
    'handler answers 200': () => client.event.bind({ event: 'ONCRMLEADUPDATE', handler: answering.url }),
    'handler never answers': () => client.event.bind({ event: 'ONCRMLEADUPDATE', handler: hung.url }),
  };
  const teardown = async (name) => {
    if (name === 'no handler') return;
    await client.event.unbind({ event: 'ONCRMLEADUPDATE' });
  };
  const times = /** @type {Record<string, number[]>} */ (Object.fromEntries(Object.keys(setups).map((name) => [name, []])));
  // The sandbox process's CPU per phase: what a delivery costs there, which the machine's load moves far less than wall time.
  const cpu = /** @type {Record<string, number[]>} */ (Object.fromEntries(Object.keys(setups).map((name) => [name, []])));
  // Warm-up: JIT and sockets, the delivery path too (a bound handler that answers), as the REST path is.
  for (let i = 0; i < WARM_UP_CALLS; i++) await client.crm.lead.update({ id: 2, fields: { TITLE: `warm ${i}` } });
  await setups['handler answers 200']();
  for (let i = 0; i < WARM_UP_CALLS; i++) await client.crm.lead.update({ id: 2, fields: { TITLE: `warm delivery ${i}` } });
  await teardown('handler answers 200');
  for (let round = 0; round < rounds; round++) {
    for (const [name, setup] of Object.entries(setups)) {
      await setup();
      const cpuBefore = await sandbox.cpuMicros();
      const started = performance.now();
      for (let i = 0; i < calls; i++) await client.crm.lead.update({ id: 2, fields: { TITLE: `round ${round} call ${i}` } });
      times[name].push(performance.now() - started);
      cpu[name].push((await sandbox.cpuMicros()) - cpuBefore);
      await teardown(name);
    }
    log(`  round ${round + 1}/${rounds}`);
  }
  // Tallied by handler at the end; the hung handler's posts are mostly still waiting then.
  const deliveries = await sandbox.deliveryLog();
  const outcomes = /** @type {Record<string, Record<string, number>>} */ ({ 'no handler': {}, 'handler answers 200': {}, 'handler never answers': {} });
  const setupOf = { [new URL(answering.url).host]: 'handler answers 200', [new URL(hung.url).host]: 'handler never answers' };
  let warmUp = WARM_UP_CALLS; // the answering handler's first attempts are the warm-up's
  for (const attempt of deliveries) {
    const setup = setupOf[new URL(attempt.handler.replace('/…', '/')).host];
    if (setup === 'handler answers 200' && warmUp-- > 0) continue;
    const tally = outcomes[setup];
    if (tally) tally[attempt.outcome] = (tally[attempt.outcome] ?? 0) + 1;
  }
  await sandbox.close();
  await answering.close();
  await hung.close();
  const base = median(times['no handler']);
  const rows = Object.keys(setups).map((name) => {
    const ms = median(times[name]);
    if (name === 'handler never answers')
      outcomes[name]['still queued or in flight'] = calls * rounds - Object.values(outcomes[name]).reduce((a, b) => a + b, 0);
    // Beside the medians' ratio: the median of each round's own ratio (the three phases of a round run
    // back to back, so a load that changes between rounds moves this one less).
    const perRound = median(times[name].map((t, round) => t / times['no handler'][round] - 1));
    return {
      setup: name,
      calls,
      msPerCall: +(ms / calls).toFixed(3),
      addedPercent: +(((ms - base) / base) * 100).toFixed(1),
      addedPercentPerRound: +(perRound * 100).toFixed(1),
      sandboxCpuMicrosPerCall: Math.round(median(cpu[name]) / calls),
      outcomes: outcomes[name],
    };
  });
  return { rounds, calls, rows, targetMet: rows[1].addedPercent <= 10 && rows[2].addedPercent <= 10 };
}
