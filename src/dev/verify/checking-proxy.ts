import type { IncomingMessage } from 'node:http';
import { closeServer, createGuardedServer, listen, sendError, sendJson, type PeerTimeouts } from '../../node/guarded-server.js';
import { DEFAULT_LIMITS } from '../../wire/limits.js';
import { decodeBracketForm } from '../../wire/bracket-form.js';
import { parseMethodUrl, type MethodTarget } from '../../wire/method-url.js';
import { WireError } from '../../wire/wire-error.js';
import type { PortalConnection } from './connection.js';
import { checkRequest, checkResponse, contract } from './contract-checks.js';
import type { Report } from './report.js';

/** Largest portal answer the proxy relays; Bitrix24 pages are far smaller. */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;
const HOP_BY_HOP = new Set([
  'host',
  'connection',
  'content-length',
  'accept-encoding',
  'keep-alive',
  'transfer-encoding',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'upgrade',
  'expect',
]);
const ANSWER_HEADERS_DROPPED = new Set(['content-encoding', 'content-length', 'transfer-encoding', 'connection', 'keep-alive']);

/**
 * The portal URL for an incoming request: always the configured origin, with the request's own path
 * and query only. Absolute-form (`GET http://other/…`) and authority-form (`CONNECT host:443`)
 * targets are refused, and a path such as `//other:81/…` stays a path on the configured portal.
 */
export function upstreamUrl(origin: string, requestTarget: string): URL {
  if (!requestTarget.startsWith('/'))
    throw new WireError(400, '', 'Only origin-form request targets (/rest/…) are accepted; this proxy forwards to its configured portal only.');
  const query = requestTarget.indexOf('?');
  const url = new URL(origin);
  url.pathname = query < 0 ? requestTarget : requestTarget.slice(0, query);
  url.search = query < 0 ? '' : requestTarget.slice(query);
  if (url.origin !== new URL(origin).origin) throw new WireError(400, '', 'The request target leaves the configured portal.');
  return url;
}

/** The request's headers for the portal, each repeated header kept as its own line. */
function forwardedHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (!HOP_BY_HOP.has(raw[i]!.toLowerCase())) headers.append(raw[i]!, raw[i + 1]!);
  }
  return headers;
}

/**
 * The portal's answer headers for the app as a flat name, value list (Node's raw form), every
 * `Set-Cookie` its own line: a plain object would keep only the last one.
 */
function answerHeaders(upstream: Response): string[] {
  const headers: string[] = [];
  for (const [name, value] of upstream.headers) {
    if (!ANSWER_HEADERS_DROPPED.has(name) && name !== 'set-cookie') headers.push(name, value);
  }
  for (const cookie of upstream.headers.getSetCookie()) headers.push('set-cookie', cookie);
  return headers;
}

/** The app's own credentials in a request: its webhook code and any `auth` value (query, form or JSON body). */
export function credentialsOf(target: MethodTarget | null, contentType: string, body: string): string[] {
  const found = new Set<string>();
  if (target?.webhookCode) found.add(target.webhookCode);
  for (const value of target?.query.getAll('auth') ?? []) found.add(value);
  try {
    const params = /json/i.test(contentType) ? (JSON.parse(body) as unknown) : decodeBracketForm(body);
    const auth = typeof params === 'object' && params !== null ? (params as { auth?: unknown }).auth : undefined;
    if (typeof auth === 'string') found.add(auth);
  } catch {
    // An unreadable body carries nothing to learn; the contract check reports it.
  }
  found.delete('');
  return [...found];
}

/** Reads an answer's bytes as they came, up to `maxBytes`; undefined past it (the connection is then closed). */
async function readCappedBytes(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Buffer | undefined> {
  if (!body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return Buffer.concat(chunks, size);
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        return undefined;
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
}

/**
 * The checking proxy of `verify --proxy`: forwards each request of an app to the configured portal
 * (and only there), relays the answer byte for byte, and checks both against the contract. Any
 * failure on either side (a cut body, an unreadable redirect, a peer that leaves) becomes a 502 in
 * Bitrix24's shape and a report line; the proxy keeps serving. The app's own webhook code and
 * `auth` values are masked in the report wherever they show up, echoed pages included.
 */
export async function startProxy(
  connection: PortalConnection,
  report: Report,
  { port = 4020, host = '127.0.0.1', timeouts = {} as Partial<PeerTimeouts> } = {},
) {
  const server = createGuardedServer({ maxBodyBytes: DEFAULT_LIMITS.maxBodyBytes, timeouts }, async (req, res, body, bytes) => {
    const target = parseMethodUrl(req.url ?? '/');
    const label = target?.method ?? '(unknown)';
    const contentType = String(req.headers['content-type'] ?? '');
    for (const secret of credentialsOf(target, contentType, body)) report.learn(secret);
    try {
      const url = upstreamUrl(connection.origin, req.url ?? '');
      let upstream: Response;
      let answer: Buffer | undefined;
      try {
        upstream = await fetch(url, {
          method: req.method,
          headers: forwardedHeaders(req),
          body: req.method === 'GET' || req.method === 'HEAD' ? undefined : Uint8Array.from(bytes),
          redirect: 'manual',
          signal: AbortSignal.timeout(65_000),
        });
        const declared = Number(upstream.headers.get('content-length') ?? undefined);
        answer = declared > MAX_ANSWER_BYTES ? undefined : await readCappedBytes(upstream.body, MAX_ANSWER_BYTES);
        if (answer === undefined) throw new WireError(502, 'PROXY_ERROR', 'too large');
      } catch (error) {
        const reason =
          error instanceof WireError
            ? `the portal's answer is larger than ${MAX_ANSWER_BYTES} bytes`
            : String((error as Error & { cause?: Error }).cause?.message ?? (error as Error).message);
        report.add(label, `${req.method} forward failed`, [{ path: '(transport)', message: reason }]);
        sendJson(req, res, 502, {
          error: 'PROXY_ERROR',
          error_description: report.mask(`The portal could not be reached or its answer was cut: ${reason}`),
        });
        return;
      }
      res.writeHead(upstream.status, answerHeaders(upstream));
      res.end(req.method === 'HEAD' ? undefined : answer);
      if (!target || !Object.hasOwn(contract.paths, `/${target.method}`)) {
        report.note(`not checked (not a contract method): ${req.method} ${url.pathname}`);
        return;
      }
      const violations = [
        ...checkRequest(target.method, { contentType, body, query: req.method === 'GET' ? target.query.toString() : '' }),
        ...checkResponse(target.method, {
          status: upstream.status,
          contentType: upstream.headers.get('content-type') ?? '',
          location: upstream.headers.get('location') ?? undefined,
          body: new TextDecoder().decode(answer),
        }),
      ];
      report.add(target.method, `${req.method} ${target.form} → HTTP ${upstream.status}`, violations);
    } catch (error) {
      if (!(error instanceof WireError)) report.add(label, `${req.method} failed`, [{ path: '(proxy)', message: report.mask((error as Error).message) }]);
      sendError(req, res, error);
    }
  });
  const actualPort = await listen(server, port, host);
  return { url: `http://${host}:${actualPort}`, close: () => closeServer(server) };
}
