#!/usr/bin/env node
// The local mock: Prism serves the bundled contract on a private loopback port, and a small front
// server on the public port accepts the URL forms real Bitrix24 clients send, hands Prism the bare
// `/{method}` path it understands, and turns Prism's own error bodies into Bitrix24's error shape.
// Usage: node scripts/mock.mjs [--port N] [--docs FILE]   (PORT env or 4010 by default)
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bundlePath = join(root, 'generated', 'openapi.bundle.yaml');

// /rest/{userId}/{webhookCode}/{method}, /rest/{method} (OAuth) and the bare /{method} Prism knows,
// each with an optional `.json` suffix and trailing slash.
const METHOD_URL = /^\/(?:rest\/(?:(?<userId>\d+)\/(?<code>[^/]+)\/)?)?(?<method>[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*?)(?:\.json)?\/?$/i;

/** Splits a request URL into the Bitrix24 method and the auth form it uses, or null. */
export function parseMethodUrl(url) {
  const { pathname, searchParams } = new URL(url, 'http://mock.invalid');
  const match = METHOD_URL.exec(pathname);
  if (!match) return null;
  const { userId, code, method } = match.groups;
  const form = userId ? 'webhook' : pathname.startsWith('/rest/') ? 'oauth' : 'bare';
  return { method, form, searchParams };
}

const bitrixError = (status, error, description) => ({ status, body: { error, error_description: description } });

/** Turns Prism's `sl-violations` header into one Bitrix24-style message naming each field and rule. */
export function describeViolations(header) {
  const violations = JSON.parse(header).filter((v) => v.severity === 'Error');
  return violations
    .map((v) => v.message.replace(/^Request body property /, '').replace(/^Request body /, 'body '))
    .join('; ');
}

/**
 * Decodes a form body or query string with PHP-style bracket nesting, the way Bitrix24 reads it:
 * `fields[CONTACT_ID]=1010` gives `{ fields: { CONTACT_ID: '1010' } }`; a level whose keys are all
 * indexes (`items[0][SORT]=10`, `ids[]=1`) becomes an array. Values stay text; see coerceToSchema.
 */
export function decodeBracketForm(text) {
  const root = Object.create(null); // null prototypes: a key like `__proto__[x]` stays plain data
  for (const [key, value] of new URLSearchParams(text)) {
    const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
    const path = match ? [match[1], ...[...match[2].matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1])] : [key];
    let node = root;
    path.forEach((segment, i) => {
      const name = segment === '' ? String(Object.keys(node).length) : segment;
      if (i === path.length - 1) node[name] = value;
      else node = node[name] = typeof node[name] === 'object' ? node[name] : Object.create(null);
    });
  }
  const arrays = (value) => {
    if (typeof value !== 'object') return value;
    const entries = Object.entries(value).map(([key, item]) => [key, arrays(item)]);
    return entries.length > 0 && entries.every(([key]) => /^\d+$/.test(key))
      ? entries.sort(([a], [b]) => a - b).map(([, item]) => item)
      : Object.fromEntries(entries);
  };
  return arrays(root);
}

/** The schema and every schema it refers to or combines (`$ref`, `allOf`, `anyOf`, `oneOf`). */
function schemaParts(schema, contract, parts = []) {
  if (!schema || typeof schema !== 'object') return parts;
  if (typeof schema.$ref === 'string' && schema.$ref.startsWith('#/')) {
    const target = schema.$ref.slice(2).split('/').reduce((at, key) => at?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], contract);
    schemaParts(target, contract, parts);
  }
  parts.push(schema);
  for (const part of [...(schema.allOf ?? []), ...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) schemaParts(part, contract, parts);
  return parts;
}

/**
 * Form and query values are all text. Turns the ones the contract types as numbers or booleans
 * back into numbers and booleans, so validation reports real mistakes (`CONTACT_ID=abc`) only.
 */
export function coerceToSchema(value, schema, contract) {
  const parts = schemaParts(schema, contract);
  const children = (pick) => ({ anyOf: parts.map(pick).filter((child) => child && typeof child === 'object') });
  if (Array.isArray(value)) return value.map((item) => coerceToSchema(item, children((s) => s.items), contract));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) =>
      [key, coerceToSchema(item, children((s) => s.properties?.[key] ?? s.additionalProperties), contract)]));
  }
  if (typeof value !== 'string') return value;
  const types = new Set(parts.flatMap((s) => [s.type ?? []].flat()));
  if ((types.has('integer') || types.has('number')) && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  if (types.has('boolean') && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

function hasAuthParam(contentType, body, searchParams) {
  if (searchParams.get('auth')) return true;
  if (contentType.includes('application/json')) {
    try {
      const parsed = JSON.parse(body);
      return typeof parsed?.auth === 'string' && parsed.auth !== '';
    } catch {
      return false; // malformed JSON is reported by the body check
    }
  }
  return Boolean(new URLSearchParams(body).get('auth'));
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Answers one request: adapts the URL, validates the transport, and relays to Prism. */
async function handle(req, prismOrigin, contract) {
  const target = parseMethodUrl(req.url);
  if (!target) return bitrixError(404, 'ERROR_METHOD_NOT_FOUND', 'Method not found!');

  let body = await readBody(req);
  let contentType = String(req.headers['content-type'] ?? '') || 'application/json';
  if (req.method === 'GET' || req.method === 'HEAD') {
    // A GET carries its parameters in the query string with the same bracket nesting as a form body.
    body = target.searchParams.toString();
    contentType = 'application/x-www-form-urlencoded';
  } else if (req.method !== 'POST') {
    return bitrixError(405, 'ERROR_METHOD_NOT_ALLOWED', `HTTP method ${req.method} is not supported; use POST or GET.`);
  }
  const operation = contract.paths?.[`/${target.method}`]?.post;
  if (contentType.includes('application/x-www-form-urlencoded')) {
    // Prism 5 cannot read indexed arrays of objects from a form (`items[0][CONTACT_ID]=1010`) and
    // silently drops bracket keys its schema does not name, so decode the form here, restore the
    // numbers the schema expects, and let Prism validate JSON like any other body.
    const content = operation?.requestBody?.content ?? {};
    const schema = (content['application/x-www-form-urlencoded'] ?? content['application/json'])?.schema;
    body = JSON.stringify(coerceToSchema(decodeBracketForm(body), schema, contract));
    contentType = 'application/json';
  }
  if (contentType.includes('application/json')) {
    // A method whose parameters are all optional (crm.lead.contact.fields) may be called with no body.
    if (body.trim() === '' && operation && !operation.requestBody?.required) body = '{}';
    if (body.trim() === '') return bitrixError(400, '', 'The request body is empty; send the method parameters as JSON.');
    try {
      JSON.parse(body);
    } catch (error) {
      return bitrixError(400, '', `The request body is not valid JSON (${error.message}).`);
    }
  }
  if (target.form === 'oauth' && !hasAuthParam(contentType, body, target.searchParams)) {
    return bitrixError(401, 'NO_AUTH_FOUND', 'Wrong authorization data: send the access token as the auth parameter.');
  }

  const headers = { 'content-type': contentType, accept: 'application/json' };
  if (req.headers.prefer) headers.prefer = String(req.headers.prefer);
  const response = await fetch(`${prismOrigin}/${target.method}`, { method: 'POST', headers, body });
  const text = await response.text();
  const violations = response.headers.get('sl-violations');
  if (response.status === 400 && violations && !req.headers.prefer) {
    return bitrixError(400, '', `Invalid parameters of ${target.method}: ${describeViolations(violations)}`);
  }
  if (response.status === 404 && !req.headers.prefer) {
    return bitrixError(404, 'ERROR_METHOD_NOT_FOUND', `Method not found: ${target.method}`);
  }
  return { status: response.status, raw: text, type: response.headers.get('content-type') ?? 'application/json' };
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolvePort(port));
    });
  });
}

async function waitForPrism(origin, child, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Prism exited with code ${child.exitCode}`);
    try {
      await fetch(`${origin}/`, { method: 'GET' });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`Prism did not start within ${timeoutMs} ms`);
}

/**
 * Starts Prism and the front server. Resolves with `{ url, port, close }` once both answer.
 * @param {{ port?: number, host?: string, docsFile?: string, spec?: string }} options
 */
export async function startMock({ port = 4010, host = '127.0.0.1', docsFile, spec = bundlePath } = {}) {
  const contract = YAML.parse(readFileSync(spec, 'utf8'));
  const prismPort = await freePort();
  const prismCli = join(root, 'node_modules', '@stoplight', 'prism-cli', 'dist', 'index.js');
  const prism = spawn(process.execPath, [prismCli, 'mock', '--host', '127.0.0.1', '--port', String(prismPort), '--errors', 'false', spec], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // Never leave an orphaned Prism behind, whatever way this process ends.
  const killPrism = () => prism.kill();
  process.once('exit', killPrism);
  let prismStderr = '';
  prism.stderr.on('data', (chunk) => { prismStderr = (prismStderr + chunk).slice(-4000); });
  const prismOrigin = `http://127.0.0.1:${prismPort}`;
  try {
    await waitForPrism(prismOrigin, prism);
  } catch (error) {
    prism.kill();
    throw new Error(`${error.message}\n${prismStderr}`);
  }

  const server = createServer(async (req, res) => {
    // Browser apps under development call the mock from another origin (a dev server, a file:// page).
    res.setHeader('access-control-allow-origin', '*');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-methods': 'GET, POST',
        'access-control-allow-headers': 'content-type, accept, prefer',
        'access-control-max-age': '600',
      });
      res.end();
      return;
    }
    try {
      if (docsFile && (req.url === '/' || req.url === '/docs' || req.url === '/docs/')) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(readFileSync(docsFile));
        return;
      }
      const answer = await handle(req, prismOrigin, contract);
      const payload = answer.raw ?? JSON.stringify(answer.body);
      res.writeHead(answer.status, { 'content-type': answer.type ?? 'application/json' });
      res.end(req.method === 'HEAD' ? undefined : payload);
    } catch (error) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'INTERNAL_SERVER_ERROR', error_description: `Mock failure: ${error.message}` }));
    }
  });
  await new Promise((resolveListen, reject) => {
    server.once('error', (error) => {
      prism.kill();
      process.removeListener('exit', killPrism);
      reject(error.code === 'EADDRINUSE' ? new Error(`Port ${port} on ${host} is already in use; set PORT to a free one, e.g. PORT=4011.`) : error);
    });
    server.listen(port, host, resolveListen);
  });
  const actualPort = server.address().port;
  return {
    port: actualPort,
    url: `http://${host}:${actualPort}`,
    async close() {
      process.removeListener('exit', killPrism);
      prism.kill();
      await new Promise((r) => server.close(r));
    },
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const port = Number(arg('--port') ?? process.env.PORT ?? 4010);
  const docsFile = arg('--docs');
  const mock = await startMock({ port, docsFile }).catch((error) => {
    console.error(`Could not start the mock: ${error.message}`);
    process.exit(1);
  });
  console.log(`Mock of the Bitrix24 crm.lead.contact.* methods: ${mock.url}/rest/1/mock/crm.lead.contact.add`);
  if (docsFile) console.log(`Docs: ${mock.url}/`);
  const stop = async () => { await mock.close(); process.exit(0); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
