import type { IncomingMessage } from 'node:http';
import { closeServer, createGuardedServer, listen, sendError, sendJson, type PeerTimeouts } from '../../node/guarded-server.js';
import { DEFAULT_LIMITS } from '../../wire/limits.js';
import { parseMethodUrl } from '../../wire/method-url.js';
import { readBodyText } from '../../wire/read-body.js';
import { WireError } from '../../wire/wire-error.js';
import { mask, type PortalConnection } from './connection.js';
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

function forwardedHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/**
 * The checking proxy of `verify --proxy`: forwards each request of an app to the configured portal
 * (and only there), relays the answer, and checks both against the contract. Any failure on either
 * side (a cut body, an unreadable redirect, a peer that leaves) becomes a 502 in Bitrix24's shape and
 * a report line; the proxy keeps serving.
 */
export async function startProxy(
  connection: PortalConnection,
  report: Report,
  { port = 4020, host = '127.0.0.1', timeouts = {} as Partial<PeerTimeouts> } = {},
) {
  const server = createGuardedServer({ maxBodyBytes: DEFAULT_LIMITS.maxBodyBytes, timeouts }, async (req, res, body) => {
    const target = parseMethodUrl(req.url ?? '/');
    const label = target?.method ?? '(unknown)';
    try {
      const url = upstreamUrl(connection.origin, req.url ?? '');
      const contentType = String(req.headers['content-type'] ?? '');
      let upstream: Response;
      let text: string;
      try {
        upstream = await fetch(url, {
          method: req.method,
          headers: forwardedHeaders(req),
          body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
          redirect: 'manual',
          signal: AbortSignal.timeout(65_000),
        });
        text = await readBodyText(upstream.body, MAX_ANSWER_BYTES, Number(upstream.headers.get('content-length') ?? undefined) || undefined);
      } catch (error) {
        const reason =
          error instanceof WireError
            ? `the portal's answer is larger than ${MAX_ANSWER_BYTES} bytes`
            : String((error as Error & { cause?: Error }).cause?.message ?? (error as Error).message);
        report.add(label, `${req.method} forward failed`, [{ path: '(transport)', message: reason }]);
        sendJson(req, res, 502, {
          error: 'PROXY_ERROR',
          error_description: mask(`The portal could not be reached or its answer was cut: ${reason}`, connection.secrets),
        });
        return;
      }
      const headers = Object.fromEntries([...upstream.headers].filter(([name]) => !ANSWER_HEADERS_DROPPED.has(name)));
      res.writeHead(upstream.status, headers);
      res.end(req.method === 'HEAD' ? undefined : text);
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
          body: text,
        }),
      ];
      report.add(target.method, `${req.method} ${target.form} → HTTP ${upstream.status}`, violations);
    } catch (error) {
      if (!(error instanceof WireError))
        report.add(label, `${req.method} failed`, [{ path: '(proxy)', message: mask((error as Error).message, connection.secrets) }]);
      sendError(req, res, error);
    }
  });
  const actualPort = await listen(server, port, host);
  return { url: `http://${host}:${actualPort}`, close: () => closeServer(server) };
}
