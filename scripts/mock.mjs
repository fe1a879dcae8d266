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
async function handle(req, prismOrigin) {
  const target = parseMethodUrl(req.url);
  if (!target) return bitrixError(404, 'ERROR_METHOD_NOT_FOUND', 'Method not found!');

  let body = await readBody(req);
  let contentType = String(req.headers['content-type'] ?? '');
  if (req.method === 'GET' || req.method === 'HEAD') {
    // A GET carries its parameters in the query string with the same bracket nesting as a form body.
    body = target.searchParams.toString();
    contentType = 'application/x-www-form-urlencoded';
  } else if (req.method !== 'POST') {
    return bitrixError(405, 'ERROR_METHOD_NOT_ALLOWED', `HTTP method ${req.method} is not supported; use POST or GET.`);
  }
  if (contentType.includes('application/json')) {
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

  const headers = { 'content-type': contentType || 'application/json', accept: 'application/json' };
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
    try {
      if (docsFile && (req.url === '/' || req.url === '/docs' || req.url === '/docs/')) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(readFileSync(docsFile));
        return;
      }
      const answer = await handle(req, prismOrigin);
      const payload = answer.raw ?? JSON.stringify(answer.body);
      res.writeHead(answer.status, { 'content-type': answer.type ?? 'application/json' });
      res.end(req.method === 'HEAD' ? undefined : payload);
    } catch (error) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'INTERNAL_SERVER_ERROR', error_description: `Mock failure: ${error.message}` }));
    }
  });
  await new Promise((resolveListen, reject) => {
    server.once('error', reject);
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
  const mock = await startMock({ port, docsFile });
  console.log(`Mock of the Bitrix24 crm.lead.contact.* methods: ${mock.url}/rest/1/mock/crm.lead.contact.add`);
  if (docsFile) console.log(`Docs: ${mock.url}/`);
  const stop = async () => { await mock.close(); process.exit(0); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
