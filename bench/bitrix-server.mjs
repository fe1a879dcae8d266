#!/usr/bin/env node
// A small stand-in for a Bitrix24 portal on loopback, for the benchmarks and the batch tests: it
// answers every method with the Bitrix24 envelope, runs `batch` commands the way the batch page
// describes (per-command results and errors, halt, the 50-command limit, no nested batch), and can
// enforce the portal's leaky bucket (https://apidocs.bitrix24.com/limits.html) with 503 QUERY_LIMIT_EXCEEDED.
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

function setPath(target, path, value) {
  let node = target;
  path.forEach((segment, i) => {
    const last = i === path.length - 1;
    let key = segment;
    if (key === '') key = String(Object.keys(node).filter((k) => /^\d+$/.test(k)).length); // `name[]` appends
    if (last) node[key] = value;
    else node = typeof node[key] === 'object' && node[key] !== null ? node[key] : (node[key] = {});
  });
}

function decode(text) {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/**
 * Reads a query string the way PHP's `parse_str` does (Bitrix24 is PHP): `+` is a space, keys are
 * decoded before their brackets are read, `a[b][c]=1` nests, `a[]=1` appends, and dots and spaces in
 * the top-level name become underscores. Every container comes back as a plain object (PHP has only
 * arrays) and every value as a string.
 */
export function parseQuery(query) {
  const out = {};
  for (const pair of query.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const key = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    const open = key.indexOf('[');
    const base = (open > 0 ? key.slice(0, open) : key).replace(/[. ]/g, '_');
    const path = [base];
    if (open > 0) {
      const rest = key.slice(open);
      const segments = rest.match(/\[([^\]]*)\]/g) ?? [];
      for (const segment of segments) path.push(segment.slice(1, -1));
    }
    if (base) setPath(out, path, value);
  }
  return out;
}

/** Splits `method?query` into the method and its parameters, as Bitrix24 reads a batch command. */
export function parseCommand(line) {
  const hash = line.indexOf('#'); // parse_url: a raw `#` starts a fragment, and what follows is lost
  const usable = hash < 0 ? line : line.slice(0, hash);
  const q = usable.indexOf('?');
  return q < 0 ? { method: usable, params: {} } : { method: usable.slice(0, q), params: parseQuery(usable.slice(q + 1)) };
}

/**
 * The default command behaviour: a command succeeds with `true`; `batch` is refused, CONTACT_ID 404
 * is NOT_FOUND, and an add whose `id` or `fields[CONTACT_ID]` did not decode to digits (a client
 * that encodes commands wrongly) gets the empty-code error Bitrix24 uses for invalid parameters.
 */
export function defaultCommand({ method, params }) {
  if (method === 'batch') return { error: 'ERROR_BATCH_METHOD_NOT_ALLOWED', error_description: 'Method is not allowed for batch usage' };
  if (params?.fields?.CONTACT_ID === '404') return { error: 'NOT_FOUND', error_description: 'Not found.' };
  if (method === 'crm.lead.contact.add' && !(/^\d+$/.test(params?.id) && /^\d+$/.test(params?.fields?.CONTACT_ID))) {
    return { error: '', error_description: "The parameter 'fields' is not valid." };
  }
  return { result: true };
}

/**
 * Runs a parsed batch body and builds the `result` object Bitrix24 answers with.
 * @param {{ cmd?: any; halt?: unknown }} body
 * @param {import('./bitrix-server.d.mts').CommandHandler} [command]
 */
export function runBatch(body, command = defaultCommand) {
  const halt = body.halt === true || body.halt === 1 || body.halt === '1' || body.halt === 'true';
  const entries = Array.isArray(body.cmd) ? body.cmd.map((line, i) => [String(i), line]) : Object.entries(body.cmd ?? {});
  const result = {};
  const result_error = {};
  const result_time = {};
  for (const [index, [key, line]] of entries.entries()) {
    let outcome;
    if (index >= MAX_COMMANDS) outcome = { error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' };
    else outcome = command({ key, ...parseCommand(String(line)) });
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
 * gets 503 QUERY_LIMIT_EXCEEDED (and adds nothing). `now` is a millisecond clock (tests pass a fake one).
 * @param {Parameters<typeof import('./bitrix-server.d.mts').startBitrixServer>[0]} [options]
 */
export async function startBitrixServer({ port = 0, bucket, now = () => performance.now(), command = defaultCommand } = {}) {
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
    let body;
    try {
      body = String(req.headers['content-type']).includes('json') ? JSON.parse(text) : parseQuery(req.method === 'GET' ? url.search.slice(1) : text);
    } catch {
      return send(400, '{"error":"","error_description":"Invalid JSON"}');
    }
    const answer = runBatch(body, command);
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
