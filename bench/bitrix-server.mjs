#!/usr/bin/env node
// The benchmarks' floor: a canned stand-in for a Bitrix24 portal on loopback that answers every
// method with `true` in the Bitrix24 envelope (no contract, no state: what the client and loopback
// allow at best). It counts `batch` commands (the 50-command limit and no nested batch still apply)
// and can enforce the portal's leaky bucket with 503 QUERY_LIMIT_EXCEEDED. Only the bench uses it;
// tests use the sandbox (startSandbox), whose form decoding is checked against real PHP.
// Usage: node bench/bitrix-server.mjs [--port N] [--drain PER_SECOND --burst N]
//   prints one JSON line {"origin": "..."}; GET /__stats returns the counters, POST /__reset clears them.
import { createServer } from 'node:http';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const TIME = {
  start: 1724916859.4,
  finish: 1724916859.5,
  duration: 0.1,
  processing: 0.001,
  date_start: '2024-08-29T10:34:19+03:00',
  date_finish: '2024-08-29T10:34:19+03:00',
};
const OK_BODY = JSON.stringify({ result: true, time: TIME });
const MAX_COMMANDS = 50;

/** The method of a batch command line (`method?query`); the floor server ignores the parameters. */
const methodOf = (line) => line.split(/[?#]/, 1)[0];

/** A command succeeds with `true`; `batch` inside `batch` is refused, as on a portal. */
function answerCommand(method) {
  if (method === 'batch') return { error: 'ERROR_BATCH_METHOD_NOT_ALLOWED', error_description: 'Method is not allowed for batch usage' };
  return { result: true };
}

/**
 * Runs a parsed batch body and builds the `result` object Bitrix24 answers with.
 * @param {{ cmd?: any; halt?: unknown }} body
 */
function runBatch(body) {
  const halt = body.halt === true || body.halt === 1 || body.halt === '1' || body.halt === 'true';
  const entries = Array.isArray(body.cmd) ? body.cmd.map((line, i) => [String(i), line]) : Object.entries(body.cmd ?? {});
  const result = {};
  const result_error = {};
  const result_time = {};
  for (const [index, [key, line]] of entries.entries()) {
    /** @type {{ result: unknown } | { error: string, error_description: string }} */
    let outcome;
    if (index >= MAX_COMMANDS) outcome = { error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' };
    else outcome = answerCommand(methodOf(String(line)));
    if ('error' in outcome) {
      result_error[key] = outcome;
      if (halt) break;
    } else {
      result[key] = outcome.result;
      result_time[key] = TIME;
    }
  }
  // Empty parts are JSON arrays, as in the batch page's examples.
  const part = (object) => (Object.keys(object).length ? object : []);
  return { result: part(result), result_error: part(result_error), result_total: [], result_next: [], result_time: part(result_time) };
}

/**
 * Starts the server on 127.0.0.1. `bucket` enforces the leaky bucket: the counter drains by
 * `drainPerSecond`, each accepted request adds one, and a request that would take it above `burst`
 * gets 503 QUERY_LIMIT_EXCEEDED (and adds nothing).
 * @param {{ port?: number, bucket?: { drainPerSecond: number, burst: number } }} [options]
 */
async function startBitrixServer({ port = 0, bucket } = {}) {
  const now = () => performance.now();
  const stats = { requests: 0, rejected: 0, batches: 0, commands: 0, largestBatch: 0, maxLevel: 0 };
  let level = 0;
  let at = now();
  const admit = () => {
    if (!bucket) return true;
    const t = now();
    level = Math.max(0, level - ((t - at) * bucket.drainPerSecond) / 1000);
    at = t;
    if (level + 1 > bucket.burst + 1e-9) return false;
    level += 1;
    stats.maxLevel = Math.max(stats.maxLevel, level);
    return true;
  };

  const server = createServer(async (req, res) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/__stats') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats));
    if (url.pathname === '/__reset') {
      for (const key of Object.keys(stats)) stats[key] = 0;
      level = 0;
      at = now();
      return res.writeHead(204).end();
    }
    stats.requests++;
    const send = (status, body) => res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    if (!admit()) {
      stats.rejected++;
      return send(503, '{"error":"QUERY_LIMIT_EXCEEDED","error_description":"Too many requests"}');
    }
    const method = url.pathname
      .split('/')
      .filter(Boolean)
      .pop()
      ?.replace(/\.json$/, '');
    if (method !== 'batch') return send(200, OK_BODY);
    // The clients under test send batch as JSON; the floor server reads nothing else.
    if (!String(req.headers['content-type']).includes('json')) {
      return send(400, '{"error":"","error_description":"The bench floor server reads JSON batch bodies only"}');
    }
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      return send(400, '{"error":"","error_description":"Invalid JSON"}');
    }
    const answer = runBatch(body);
    const count = Array.isArray(body.cmd) ? body.cmd.length : Object.keys(body.cmd ?? {}).length;
    stats.batches++;
    stats.commands += count;
    stats.largestBatch = Math.max(stats.largestBatch, count);
    send(200, JSON.stringify({ result: answer, time: TIME }));
  });
  await new Promise((ready) => server.listen(port, '127.0.0.1', () => ready(undefined)));
  const origin = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}`;
  return {
    origin,
    webhookUrl: `${origin}/rest/1/benchwebhookcode/`,
    stats,
    close: () => {
      server.closeAllConnections();
      return new Promise((done) => server.close(() => done(undefined)));
    },
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const drain = arg('--drain');
  const bucket = drain ? { drainPerSecond: Number(drain), burst: Number(arg('--burst') ?? 50) } : undefined;
  const server = await startBitrixServer({ port: Number(arg('--port') ?? 0), bucket });
  console.log(JSON.stringify({ origin: server.origin }));
  const stop = () => server.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop);
}
