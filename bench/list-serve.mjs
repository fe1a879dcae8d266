#!/usr/bin/env node
// One server of the list benchmark in its own process, from the built package (dist/lib):
// startSandbox seeded with N leads and the server bucket at a plan, behind a counting pass-through
// on another loopback port, so every contender (ours, b24jssdk over axios) is counted the same way.
// Usage: node bench/list-serve.mjs <leads> [plan]
//   prints one JSON line {"webhookUrl": "...", "statsUrl": "..."}; stops on SIGTERM.
import { Agent, createServer, request } from 'node:http';

const { startSandbox } = await import('../dist/lib/src/node/sandbox.js');
const count = Number(process.argv[2] ?? 10_000);
const plan = /** @type {'standard' | 'enterprise'} */ (process.argv[3] ?? 'standard');

const leads = Array.from({ length: count }, (_, i) => ({
  id: i + 1,
  fields: { TITLE: `Lead ${i + 1}`, STATUS_ID: i % 3 ? 'NEW' : 'IN_PROCESS', OPPORTUNITY: (i % 97) * 100 },
}));
const sandbox = await startSandbox({ port: 0, seed: { leads, contacts: [] }, rateLimit: plan });
const agent = new Agent({ keepAlive: true });
const stats = { requests: 0, rejected503: 0, statuses: {} };

const front = createServer((req, res) => {
  if (req.url === '/__stats') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats));
    return;
  }
  stats.requests++;
  // The journal would hold every page served; the benchmark reads its counts here instead.
  sandbox.clearCalls();
  const upstream = request({ host: '127.0.0.1', port: sandbox.port, path: req.url, method: req.method, headers: req.headers, agent }, (answer) => {
    const status = answer.statusCode ?? 0;
    stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
    if (status === 503) stats.rejected503++;
    res.writeHead(status, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', () => res.destroy());
  req.pipe(upstream);
});
await new Promise((resolve) => front.listen(0, '127.0.0.1', () => resolve(undefined)));
const { port } = /** @type {import('node:net').AddressInfo} */ (front.address());
const origin = `http://127.0.0.1:${port}`;

process.once('SIGTERM', () => {
  front.closeAllConnections();
  front.close();
  void sandbox.close().then(() => process.exit(0));
});
console.log(JSON.stringify({ webhookUrl: `${origin}/rest/1/sandbox/`, statsUrl: `${origin}/__stats` }));
