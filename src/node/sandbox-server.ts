import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { DEFAULT_LIMITS } from '../wire/limits.js';
import { DEFAULT_ANSWER_LIMITS } from '../sandbox/limits.js';
import { toErrorAnswer, WireError } from '../wire/wire-error.js';
import { adminExposure, checkAdminToken, isLoopback, refuseAdmin, type AdminExposure } from './admin-exposure.js';
import { nodeDeliver } from './event-deliver.js';
import { closeServer, createGuardedServer, listen, sendJson } from './guarded-server.js';
import { handleAdmin, isAdminPath } from '../sandbox/admin-api.js';
import { frameUrl, handleFrame, isFramePath } from '../sandbox/frame-routes.js';
import { FrameSessions } from '../sandbox/frame-sessions.js';
import { DEFAULT_MAX_PORTALS, DEFAULT_PORTAL, PortalRegistry } from '../sandbox/portal-registry.js';
import type { SandboxAnswer } from '../sandbox/sandbox.js';
import { checkSeed, UNCAPPED_SEED } from '../sandbox/seed-check.js';
import type { RunningSandbox, StartSandboxOptions } from '../sandbox/server-types.js';

const CORS = { methods: 'GET, POST', headers: 'content-type, accept' };
/** On admin answers: no page of another origin may embed or sniff them, and no cache keeps them. */
const ADMIN_HEADERS = { 'x-content-type-options': 'nosniff', 'cross-origin-resource-policy': 'same-origin', 'cache-control': 'no-store' };
/** On the frame host's page: it holds a frame's tokens, so no other page may frame it. */
const FRAME_PAGE_HEADERS = { 'x-frame-options': 'DENY', 'content-security-policy': "frame-ancestors 'none'" };

/** The path of a request target, read once per request the same way the router reads it. */
function pathnameOf(url: string): string {
  try {
    // Also right for the absolute form (`POST http://host/rest/… HTTP/1.1`) that proxies send, and
    // for dot segments (`/rest/../__sandbox/seed` is an admin path).
    return new URL(url, 'http://sandbox.invalid').pathname;
  } catch {
    return ''; // Not a URL: the portal answers it with 404.
  }
}

function checkOptions(options: StartSandboxOptions) {
  const { port = 0, host = '127.0.0.1', maxPortals = DEFAULT_MAX_PORTALS } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new TypeError(`port must be an integer from 0 to 65535, got ${String(port)}`);
  if (typeof host !== 'string' || host === '') throw new TypeError('host must be a non-empty string such as "127.0.0.1"');
  if (!Number.isInteger(maxPortals) || maxPortals < 1) throw new TypeError(`maxPortals must be a positive integer, got ${String(maxPortals)}`);
  const adminToken = options.adminToken === undefined ? undefined : checkAdminToken(options.adminToken);
  if (options.seed !== undefined) {
    try {
      checkSeed(options.seed, UNCAPPED_SEED);
    } catch (error) {
      throw new TypeError(`seed: ${(error as Error).message}`);
    }
  }
  return { port, host, maxPortals, adminToken };
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
  const { port, host, maxPortals, adminToken: givenToken } = checkOptions(options);
  const { port: _p, host: _h, maxPortals: _m, adminToken: _t, timeouts, ...sandboxOptions } = options;
  const maxBodyBytes = options.limits?.maxBodyBytes ?? DEFAULT_LIMITS.maxBodyBytes;
  const maxPendingAnswerBytes = options.limits?.maxPendingAnswerBytes ?? DEFAULT_ANSWER_LIMITS.maxPendingAnswerBytes;
  // Beyond loopback the admin API always needs a token: one is made up unless given.
  const adminToken = givenToken ?? (isLoopback(host) ? undefined : randomBytes(24).toString('base64url'));
  let origin = '';
  let exposure: AdminExposure | undefined;
  const deliver = sandboxOptions.deliver ?? nodeDeliver({ hosts: sandboxOptions.handlerHosts ?? [] });
  const registry = new PortalRegistry({ ...sandboxOptions, deliver }, maxPortals, (key) => `${origin}/rest/1/${encodeURIComponent(key)}/`);
  const frames = new FrameSessions((clientId) => registry.authority.knows(clientId));
  const paths = new WeakMap<IncomingMessage, string>();
  const isAdmin = (req: IncomingMessage) => {
    let pathname = paths.get(req);
    if (pathname === undefined) paths.set(req, (pathname = pathnameOf(req.url ?? '/')));
    return isAdminPath(pathname);
  };
  const admit = (req: IncomingMessage) => {
    if (!isAdmin(req)) return undefined;
    if (!exposure) return new WireError(503, 'SANDBOX_STARTING', 'The sandbox is still starting.');
    // An absolute-form target names the server itself, and then a Host header is to be ignored (RFC 9112, 3.2.2).
    const authority = /^http:\/\/([^/?#]*)/i.exec(req.url ?? '')?.[1];
    return refuseAdmin(authority === undefined ? req.headers : { ...req.headers, host: authority }, exposure);
  };

  const cors = { ...CORS, appliesTo: (req: IncomingMessage) => !isAdmin(req) };
  const server = createGuardedServer({ maxBodyBytes, maxPendingAnswerBytes, ...(timeouts ? { timeouts } : {}), cors, admit }, async (req, res, body) => {
    const url = req.url ?? '/';
    let answer: SandboxAnswer;
    try {
      if (isAdmin(req)) {
        for (const [name, value] of Object.entries(ADMIN_HEADERS)) res.setHeader(name, value);
        if (isFramePath(paths.get(req) ?? '')) {
          const page = handleFrame(registry, frames, { method: req.method ?? 'GET', url, body });
          if (page.contentType === 'application/json') return sendJson(req, res, page.status, JSON.parse(page.body));
          res.writeHead(page.status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(page.body), ...FRAME_PAGE_HEADERS });
          return void res.end(req.method === 'HEAD' ? undefined : page.body);
        }
        answer = handleAdmin(registry, { method: req.method ?? 'GET', url, body });
      } else {
        const request = { method: req.method ?? 'GET', url, contentType: req.headers['content-type'] ?? '', body };
        answer = await registry.portalFor(request).handle(request);
      }
    } catch (error) {
      answer = toErrorAnswer(error);
    }
    sendJson(req, res, answer.status, answer.body);
  });
  const actualPort = await listen(server, port, host);
  exposure = adminExposure(host, actualPort, adminToken);
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
    adminToken,
    frameUrl: (app, frameOptions) => frameUrl(origin, app, frameOptions),
    fetch: main.fetch,
    handle: main.handle,
    reset: main.reset,
    get calls() {
      return main.calls;
    },
    get droppedCalls() {
      return main.droppedCalls;
    },
    clearCalls: main.clearCalls,
    lead: main.lead,
    contact: main.contact,
    snapshot: main.snapshot,
    snapshotPage: main.snapshotPage,
    fail: main.fail,
    expireToken: main.expireToken,
    allowToken: main.allowToken,
    installApp: main.installApp,
    authorizeApp: main.authorizeApp,
    issueTokens: main.issueTokens,
    get identity() {
      return main.identity;
    },
    get deliveries() {
      return main.deliveries;
    },
    get droppedDeliveries() {
      return main.droppedDeliveries;
    },
    deliveriesIdle: main.deliveriesIdle,
    portal: (code) => registry.portal(code),
    close: () => closeServer(server),
  };
}
