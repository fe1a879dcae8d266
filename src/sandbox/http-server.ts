import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { DEFAULT_LIMITS } from '../wire/limits.js';
import { readBodyText } from '../wire/read-body.js';
import { toErrorAnswer, WireError, type ErrorBody } from '../wire/wire-error.js';
import { handleAdmin, isAdminPath } from './admin-api.js';
import { DEFAULT_MAX_PORTALS, DEFAULT_PORTAL, PortalRegistry } from './portal-registry.js';
import type { SandboxAnswer } from './sandbox.js';
import { checkSeed } from './seed-check.js';
import type { RunningSandbox, StartSandboxOptions } from './server-types.js';

const DEFAULT_TIMEOUTS = { headersMs: 10_000, requestMs: 30_000, bodyIdleMs: 5_000 };
/** After a 408 or 413 the rest of an upload is read and dropped this long, so the caller can still read the answer. */
const LINGER_MS = 500;

const CORS_HEADERS = {
  'access-control-allow-methods': 'GET, POST, DELETE',
  'access-control-allow-headers': 'content-type, accept',
  'access-control-max-age': '600',
};

function checkOptions(options: StartSandboxOptions) {
  const { port = 0, host = '127.0.0.1', maxPortals = DEFAULT_MAX_PORTALS, timeouts = {} } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new TypeError(`port must be an integer from 0 to 65535, got ${String(port)}`);
  if (typeof host !== 'string' || host === '') throw new TypeError('host must be a non-empty string such as "127.0.0.1"');
  if (!Number.isInteger(maxPortals) || maxPortals < 1) throw new TypeError(`maxPortals must be a positive integer, got ${String(maxPortals)}`);
  const merged = { ...DEFAULT_TIMEOUTS, ...timeouts };
  for (const [name, value] of Object.entries(merged)) {
    if (!Number.isInteger(value) || value <= 0) throw new TypeError(`timeouts.${name} must be a positive integer of milliseconds, got ${String(value)}`);
  }
  if (merged.headersMs > merged.requestMs) throw new TypeError('timeouts.headersMs must not be longer than timeouts.requestMs');
  if (options.seed !== undefined) {
    try {
      checkSeed(options.seed, { maxRecords: Number.POSITIVE_INFINITY });
    } catch (error) {
      throw new TypeError(`seed: ${(error as Error).message}`);
    }
  }
  return { port, host, maxPortals, timeouts: merged };
}

/** A raw HTTP answer for a connection Node could not parse into a request. */
function rawAnswer(status: number, reason: string, body: ErrorBody) {
  const payload = JSON.stringify(body);
  return (
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\n` +
    `content-length: ${Buffer.byteLength(payload)}\r\naccess-control-allow-origin: *\r\nconnection: close\r\n\r\n${payload}`
  );
}

/**
 * Serves a sandbox over HTTP: every Bitrix24 URL form under `/rest/`, one portal per webhook code,
 * and the admin API under `/__sandbox/`. Node-only (node:http).
 *
 * @example
 * const sandbox = await startSandbox();
 * const client = createBitrix24Client({ webhookUrl: sandbox.webhookUrl, allowInsecureHttp: true });
 * // …
 * await sandbox.close();
 */
export async function startSandbox(options: StartSandboxOptions = {}): Promise<RunningSandbox> {
  const { port, host, maxPortals, timeouts } = checkOptions(options);
  const { port: _p, host: _h, maxPortals: _m, timeouts: _t, ...sandboxOptions } = options;
  const maxBodyBytes = options.limits?.maxBodyBytes ?? DEFAULT_LIMITS.maxBodyBytes;
  let origin = '';
  const registry = new PortalRegistry(sandboxOptions, maxPortals, (key) => `${origin}/rest/1/${encodeURIComponent(key)}/`);
  /** Sockets whose request reached the handler: a parse error there must not write a second answer. */
  const answering = new WeakSet<Socket>();

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    answering.add(req.socket);
    res.once('finish', () => answering.delete(req.socket));
    serve(req, res).catch((error) => {
      // A bug: answer in Bitrix24's shape without internals, or cut the connection if that is too late.
      if (canAnswer(res)) send(req, res, toErrorAnswer(error));
      else req.socket.destroy();
    });
  };
  const server = createServer(
    { headersTimeout: timeouts.headersMs, requestTimeout: timeouts.requestMs, connectionsCheckingInterval: Math.min(1_000, timeouts.headersMs) },
    onRequest,
  );
  // curl and PHP ask before sending a body over 1 KB (`Expect: 100-continue`): a body over the cap is
  // refused (413) without inviting it.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (!(Number(req.headers['content-length']) > maxBodyBytes)) res.writeContinue();
    onRequest(req, res);
  });

  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable || answering.has(socket) || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const answer =
      error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? rawAnswer(408, 'Request Timeout', { error: 'REQUEST_TIMEOUT', error_description: 'The request did not arrive in time.' })
        : error.code === 'HPE_HEADER_OVERFLOW'
          ? rawAnswer(431, 'Request Header Fields Too Large', { error: '', error_description: 'The request headers are too large.' })
          : rawAnswer(400, 'Bad Request', { error: '', error_description: 'The request is not valid HTTP.' });
    socket.end(answer);
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  });

  async function serve(req: IncomingMessage, res: ServerResponse) {
    res.setHeader('access-control-allow-origin', '*');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, CORS_HEADERS).end();
      return;
    }
    let body: string;
    try {
      body = await readBody(req, res);
    } catch (error) {
      if (canAnswer(res)) send(req, res, toErrorAnswer(error), { close: true });
      return;
    }
    if (!canAnswer(res)) return;
    const url = req.url ?? '/';
    let pathname = '';
    try {
      // Also right for the absolute form (`POST http://host/rest/… HTTP/1.1`) that proxies send.
      pathname = new URL(url, 'http://sandbox.invalid').pathname;
    } catch {
      // Not a URL: the portal answers it with 404 below.
    }
    let answer: SandboxAnswer;
    try {
      if (isAdminPath(pathname)) {
        answer = handleAdmin(registry, { method: req.method ?? 'GET', url, body });
      } else {
        const request = { method: req.method ?? 'GET', url, contentType: req.headers['content-type'] ?? '', body };
        answer = await registry.portalFor(request).handle(request);
      }
    } catch (error) {
      answer = toErrorAnswer(error);
    }
    if (canAnswer(res)) send(req, res, answer);
  }

  /** Reads the body within the byte cap; a body that stops arriving for `bodyIdleMs` is answered 408 and cut. */
  async function readBody(req: IncomingMessage, res: ServerResponse): Promise<string> {
    const length = req.headers['content-length'];
    const timer = setTimeout(() => {
      if (!canAnswer(res)) return;
      send(req, res, toErrorAnswer(new WireError(408, 'REQUEST_TIMEOUT', `The request body stopped arriving for ${timeouts.bodyIdleMs} ms.`)), { close: true });
    }, timeouts.bodyIdleMs);
    async function* chunks() {
      // Not destroyed on an early stop (413): the answer still has to go out on this socket.
      for await (const chunk of req.iterator({ destroyOnReturn: false })) {
        timer.refresh();
        yield chunk as Uint8Array;
      }
    }
    try {
      return await readBodyText(chunks(), maxBodyBytes, length === undefined ? undefined : Number(length));
    } finally {
      clearTimeout(timer);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  origin = `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
  const main = registry.defaultPortal;

  return {
    key: DEFAULT_PORTAL,
    get webhookUrl() {
      return main.webhookUrl;
    },
    url: origin,
    port: actualPort,
    oauthUrl: `${origin}/rest/`,
    adminUrl: `${origin}/__sandbox/`,
    fetch: main.fetch,
    handle: main.handle,
    reset: main.reset,
    get calls() {
      return main.calls;
    },
    clearCalls: main.clearCalls,
    lead: main.lead,
    contact: main.contact,
    snapshot: main.snapshot,
    fail: main.fail,
    expireToken: main.expireToken,
    allowToken: main.allowToken,
    portal: (code) => registry.portal(code),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function canAnswer(res: ServerResponse): boolean {
  return !res.headersSent && !res.writableEnded && !res.destroyed && res.socket?.destroyed !== true;
}

/**
 * Writes an answer. With `close`, the connection ends after it: what is left of the upload is read
 * and dropped for a short while (so the caller, still sending, gets to read the answer), then cut.
 */
function send(req: IncomingMessage, res: ServerResponse, answer: SandboxAnswer, { close = false } = {}) {
  const payload = JSON.stringify(answer.body);
  const headers: Record<string, string | number> = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    'access-control-allow-origin': '*',
  };
  if (close) headers.connection = 'close';
  res.writeHead(answer.status, headers);
  res.end(req.method === 'HEAD' ? undefined : payload);
  if (close) {
    req.resume();
    setTimeout(() => req.socket.destroy(), LINGER_MS).unref();
  }
}
