// Event deliveries against REST time (issue 25): sequential crm.lead.update calls over loopback HTTP
// to startSandbox (built dist/lib) in its own process, as a test suite's sandbox server runs, four
// ways interleaved in rounds: no handler bound; ONCRMLEADUPDATE bound to a handler that answers 200
// (a third process); the same with deliveries sent right after each answer (a second sandbox with
// `maxDeliveryDelayMs: 0`, which holds nothing back while calls go on); bound to a handler that
// accepts and never answers. The deliveries run in the sandbox's process beside the calls; REST time
// is the calls' wall time only. After each answering phase the bench waits until the handler has
// every post of it, and reports how long after the last call that was.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

/** Calls of each warm-up: the REST path alone, then with the answering handler bound. */
const WARM_UP_CALLS = 1000;

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/**
 * A child process spoken to a line at a time: its first line of output (an address), `ask` (one
 * line in, the next line out) and `close`.
 */
async function lineChild(args) {
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise((resolve) => lines.once('line', resolve));
  /** @param {string} line */
  const ask = (line) =>
    /** @type {Promise<string>} */ (
      new Promise((resolve) => {
        lines.once('line', resolve);
        child.stdin.write(`${line}\n`);
      })
    );
  return { first, ask, close: () => new Promise((resolve) => child.once('exit', resolve) && child.kill('SIGTERM')) };
}

/**
 * A handler in its own process: `answer` = 200 at once, or never (the request is held open).
 * `received(n)` resolves once it has had n posts in all.
 */
async function handlerInChild(answer) {
  const code = `
    const held = [];
    let count = 0;
    let waiting = [];
    const server = require('node:http').createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        count++;
        waiting = waiting.filter((n) => (n <= count ? (console.log(count), false) : true));
        ${answer === 'never'} ? held.push(res) : res.writeHead(200).end('ok');
      });
    });
    server.listen(0, '127.0.0.1', () => console.log(server.address().port));
    require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => {
      const n = Number(line);
      if (n <= count) console.log(count);
      else waiting.push(n);
    });`;
  const { first: port, ask, close } = await lineChild(['-e', code]);
  return { url: `http://127.0.0.1:${port}/events`, received: (/** @type {number} */ n) => ask(String(n)), close };
}

/** startSandbox in its own process; its delivery log read once every delivery has ended. */
async function sandboxInChild(root, limits = {}) {
  const entry = pathToFileURL(join(root, 'dist', 'lib', 'src', 'node', 'sandbox.js')).href;
  // Default limits: a hung handler holds its slots for the whole 5 s timeout; its other posts wait.
  const code = `
    const { startSandbox } = await import(${JSON.stringify(entry)});
    const sandbox = await startSandbox({ limits: ${JSON.stringify({ maxDeliveryLog: 100000, ...limits })} });
    console.log(sandbox.url);
    (await import('node:readline')).createInterface({ input: process.stdin }).on('line', (line) => {
      if (line === 'cpu') console.log(JSON.stringify(process.cpuUsage()));
      else console.log(JSON.stringify(sandbox.deliveries.map((d) => ({ handler: d.handler, outcome: d.outcome }))));
    });`;
  const { first: url, ask, close } = await lineChild(['--input-type=module', '-e', code]);
  return {
    url,
    /** @returns {Promise<Array<{ handler: string, outcome: string }>>} */
    deliveryLog: async () => JSON.parse(await ask('log')),
    /** CPU time the sandbox's process has used so far (µs, user + system), read between phases. */
    cpuMicros: async () => {
      const { user, system } = JSON.parse(await ask('cpu'));
      return user + system;
    },
    close,
  };
}

/**
 * @param {{ root: string, quick?: boolean, log: (line: string) => void }} options
 */
export async function measureEvents({ root, quick = false, log }) {
  const { createBitrix24Client } = await import(pathToFileURL(join(root, 'dist', 'lib', 'src', 'index.js')).href);
  const calls = quick ? 300 : 1000;
  const rounds = quick ? 4 : 10;
  const answering = await handlerInChild('ok');
  const hung = await handlerInChild('never');
  const sandbox = await sandboxInChild(root);
  const atOnce = await sandboxInChild(root, { maxDeliveryDelayMs: 0 });
  const clientOf = async (server) => {
    const installed = await fetch(`${server.url}/__sandbox/apps/install`, {
      method: 'POST',
      body: JSON.stringify({ clientId: 'local.bench', clientSecret: 'bench-secret' }),
    }).then((r) => r.json());
    return createBitrix24Client({ portal: server.url, accessToken: installed.result.access_token, allowInsecureHttp: true, rateLimit: false, retry: false });
  };
  const heldClient = await clientOf(sandbox);
  const atOnceClient = await clientOf(atOnce);

  const AT_ONCE = 'handler answers 200, sent at once (maxDeliveryDelayMs 0)';
  /** Each setup: the client its calls go through, and the handler bound for it (none, answering, hung). */
  const setups = {
    'no handler': { client: heldClient },
    'handler answers 200': { client: heldClient, handler: answering },
    [AT_ONCE]: { client: atOnceClient, handler: answering },
    'handler never answers': { client: heldClient, handler: hung },
  };
  let answeredPosts = 0;
  const perSetup = () => /** @type {Record<string, number[]>} */ (Object.fromEntries(Object.keys(setups).map((name) => [name, []])));
  const times = perSetup();
  // The sandbox process's CPU per phase: what a delivery costs there, which the machine's load moves far less than wall time.
  const cpu = perSetup();
  /** From a phase's last answer to its last post reaching the answering handler. */
  const drained = perSetup();
  const serverOf = (client) => (client === heldClient ? sandbox : atOnce);
  // Warm-up of both sandboxes: JIT and sockets, the delivery path too (a bound handler that answers), as the REST path is.
  for (const client of [heldClient, atOnceClient]) {
    for (let i = 0; i < WARM_UP_CALLS; i++) await client.crm.lead.update({ id: 2, fields: { TITLE: `warm ${i}` } });
    await client.event.bind({ event: 'ONCRMLEADUPDATE', handler: answering.url });
    for (let i = 0; i < WARM_UP_CALLS; i++) await client.crm.lead.update({ id: 2, fields: { TITLE: `warm delivery ${i}` } });
    await client.event.unbind({ event: 'ONCRMLEADUPDATE' });
    await answering.received((answeredPosts += WARM_UP_CALLS));
  }
  const order = Object.entries(setups);
  for (let round = 0; round < rounds; round++) {
    // Each round starts one setup later, so no setup always runs first or after the same other one.
    for (const [name, { client, handler }] of [...order.slice(round % order.length), ...order.slice(0, round % order.length)]) {
      if (handler) await client.event.bind({ event: 'ONCRMLEADUPDATE', handler: handler.url });
      const server = serverOf(client);
      const cpuBefore = await server.cpuMicros();
      const started = performance.now();
      for (let i = 0; i < calls; i++) await client.crm.lead.update({ id: 2, fields: { TITLE: `round ${round} call ${i}` } });
      const ended = performance.now();
      times[name].push(ended - started);
      if (handler === answering) {
        await answering.received((answeredPosts += calls));
        drained[name].push(performance.now() - ended);
      }
      cpu[name].push((await server.cpuMicros()) - cpuBefore);
      if (handler) await client.event.unbind({ event: 'ONCRMLEADUPDATE' });
    }
    log(`  round ${round + 1}/${rounds}`);
  }
  // Tallied by sandbox and handler at the end; the hung handler's posts are mostly still waiting then.
  const outcomes = /** @type {Record<string, Record<string, number>>} */ (Object.fromEntries(Object.keys(setups).map((name) => [name, {}])));
  /** @type {Array<[typeof sandbox, Record<string, string>]>} */
  const logs = [
    [sandbox, { [new URL(answering.url).host]: 'handler answers 200', [new URL(hung.url).host]: 'handler never answers' }],
    [atOnce, { [new URL(answering.url).host]: AT_ONCE }],
  ];
  for (const [server, byHost] of logs) {
    let warmUp = WARM_UP_CALLS; // each sandbox's first attempts are its warm-up's
    for (const attempt of await server.deliveryLog()) {
      if (warmUp-- > 0) continue;
      const tally = outcomes[byHost[new URL(attempt.handler.replace('/…', '/')).host]];
      if (tally) tally[attempt.outcome] = (tally[attempt.outcome] ?? 0) + 1;
    }
  }
  await Promise.all([sandbox.close(), atOnce.close(), answering.close(), hung.close()]);
  const base = median(times['no handler']);
  const rows = Object.keys(setups).map((name) => {
    const ms = median(times[name]);
    if (name === 'handler never answers')
      outcomes[name]['still queued or in flight'] = calls * rounds - Object.values(outcomes[name]).reduce((a, b) => a + b, 0);
    // Beside the medians' ratio: the median of each round's own ratio (the phases of a round run
    // back to back, so a load that changes between rounds moves this one less).
    const perRound = median(times[name].map((t, round) => t / times['no handler'][round] - 1));
    return {
      setup: name,
      calls,
      msPerCall: +(ms / calls).toFixed(3),
      addedPercent: +(((ms - base) / base) * 100).toFixed(1),
      addedPercentPerRound: +(perRound * 100).toFixed(1),
      sandboxCpuMicrosPerCall: Math.round(median(cpu[name]) / calls),
      drainedMs: drained[name].length > 0 ? Math.round(median(drained[name])) : undefined,
      outcomes: outcomes[name],
    };
  });
  const row = (/** @type {string} */ name) => /** @type {(typeof rows)[number]} */ (rows.find((r) => r.setup === name));
  // The target is the default sandbox's, by the rounds' own ratios: this machine's speed drifts by ±20%
  // from round to round, which moves the medians' ratio (printed too) as much as the handler does.
  // The at-once row shows what holding deliveries back saves.
  const within = (name) => row(name).addedPercentPerRound <= 10;
  return {
    rounds,
    calls,
    rows,
    msPerRound: Object.fromEntries(Object.entries(times).map(([name, ms]) => [name, ms.map((t) => Math.round(t))])),
    targetMet: within('handler answers 200') && within('handler never answers'),
  };
}
