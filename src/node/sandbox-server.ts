import { DEFAULT_LIMITS } from '../wire/limits.js';
import { toErrorAnswer } from '../wire/wire-error.js';
import { closeServer, createGuardedServer, listen, sendJson } from './guarded-server.js';
import { handleAdmin, isAdminPath } from '../sandbox/admin-api.js';
import { DEFAULT_MAX_PORTALS, DEFAULT_PORTAL, PortalRegistry } from '../sandbox/portal-registry.js';
import type { SandboxAnswer } from '../sandbox/sandbox.js';
import { checkSeed } from '../sandbox/seed-check.js';
import type { RunningSandbox, StartSandboxOptions } from '../sandbox/server-types.js';

const CORS = { methods: 'GET, POST, DELETE', headers: 'content-type, accept' };

function checkOptions(options: StartSandboxOptions) {
  const { port = 0, host = '127.0.0.1', maxPortals = DEFAULT_MAX_PORTALS } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new TypeError(`port must be an integer from 0 to 65535, got ${String(port)}`);
  if (typeof host !== 'string' || host === '') throw new TypeError('host must be a non-empty string such as "127.0.0.1"');
  if (!Number.isInteger(maxPortals) || maxPortals < 1) throw new TypeError(`maxPortals must be a positive integer, got ${String(maxPortals)}`);
  if (options.seed !== undefined) {
    try {
      checkSeed(options.seed, { maxRecords: Number.POSITIVE_INFINITY });
    } catch (error) {
      throw new TypeError(`seed: ${(error as Error).message}`);
    }
  }
  return { port, host, maxPortals };
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
  const { port, host, maxPortals } = checkOptions(options);
  const { port: _p, host: _h, maxPortals: _m, timeouts, ...sandboxOptions } = options;
  const maxBodyBytes = options.limits?.maxBodyBytes ?? DEFAULT_LIMITS.maxBodyBytes;
  let origin = '';
  const registry = new PortalRegistry(sandboxOptions, maxPortals, (key) => `${origin}/rest/1/${encodeURIComponent(key)}/`);

  const server = createGuardedServer({ maxBodyBytes, ...(timeouts ? { timeouts } : {}), cors: CORS }, async (req, res, body) => {
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
    sendJson(req, res, answer.status, answer.body);
  });
  const actualPort = await listen(server, port, host);
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
    get droppedCalls() {
      return main.droppedCalls;
    },
    clearCalls: main.clearCalls,
    lead: main.lead,
    contact: main.contact,
    snapshot: main.snapshot,
    fail: main.fail,
    expireToken: main.expireToken,
    allowToken: main.allowToken,
    portal: (code) => registry.portal(code),
    close: () => closeServer(server),
  };
}
