import { checkDepth } from '../wire/bracket-form.js';
import { DEFAULT_LIMITS } from '../wire/limits.js';
import { WireError } from '../wire/wire-error.js';
import { isRecord } from '../wire/json-pointer.js';
import { journalPage } from './journal.js';
import { OAuthError } from './oauth.js';
import { DEFAULT_PORTAL, type PortalRegistry, type SandboxPortal } from './portal-registry.js';
import type { Fault, SandboxAnswer } from './sandbox.js';
import { checkSeed, SeedError } from './seed-check.js';

/** Every admin path starts with this; no Bitrix24 REST path starts with `__`. */
export const ADMIN_PREFIX = '/__sandbox';

export const isAdminPath = (pathname: string) => pathname === ADMIN_PREFIX || pathname.startsWith(`${ADMIN_PREFIX}/`);

export interface AdminRequest {
  method: string;
  /** Path and query, e.g. `/__sandbox/calls?portal=worker-1`. */
  url: string;
  body: string;
}

type Route = { method: string; path: string; summary: string };

/** The admin routes, listed by `GET /__sandbox/` and in the 404 of an unknown route. */
export const ADMIN_ROUTES: readonly Route[] = [
  { method: 'GET', path: '/__sandbox/', summary: 'this list, the portal count and the default webhook code' },
  { method: 'POST', path: '/__sandbox/reset', summary: 'back to the seed: records, journal, faults, tokens, counters' },
  { method: 'POST', path: '/__sandbox/seed', summary: 'replace the seed (JSON body { leads, contacts }) and reset to it' },
  {
    method: 'GET',
    path: '/__sandbox/calls',
    summary: 'the journal, oldest first: { method, params, status, result?, error?, batchKey? } per call; ?start=&limit= page it (next, total, dropped)',
  },
  { method: 'DELETE', path: '/__sandbox/calls', summary: 'empty the journal' },
  { method: 'POST', path: '/__sandbox/faults', summary: 'fail the next calls: JSON body { method, fault, times? }' },
  {
    method: 'GET',
    path: '/__sandbox/state',
    summary: 'every lead (with its links) and contact: { result: { leads, contacts }, next?, total }; ?start=&limit= page it (records by position)',
  },
  { method: 'GET', path: '/__sandbox/leads/{id}', summary: 'one lead with its links' },
  { method: 'GET', path: '/__sandbox/contacts/{id}', summary: 'one contact' },
  { method: 'POST', path: '/__sandbox/tokens/allow', summary: 'accept an OAuth token: JSON body { token, scopes? }' },
  { method: 'POST', path: '/__sandbox/tokens/expire', summary: 'make an OAuth token answer expired_token: JSON body { token }' },
  { method: 'DELETE', path: '/__sandbox/portal', summary: 'forget a portal (the default one is reset instead)' },
  {
    method: 'POST',
    path: '/__sandbox/apps/install',
    summary: 'install an app: JSON body { clientId, clientSecret, handler?, scopes? }; answers its tokens, application_token, member_id, domain',
  },
  { method: 'POST', path: '/__sandbox/apps/authorize', summary: 'an authorization code for an app: JSON body { clientId, clientSecret }' },
  {
    method: 'GET',
    path: '/__sandbox/deliveries',
    summary:
      'event deliveries tried, oldest first: { seq, event, event_handler_id, id, handler (path masked), outcome, status?, reason? }; ?start=&limit= page it',
  },
  { method: 'GET', path: '/__sandbox/clock', summary: "the server's clock (ms) that token expiry reads" },
  { method: 'POST', path: '/__sandbox/clock', summary: 'move the clock forward: JSON body { advanceMs }' },
  {
    method: 'GET',
    path: '/__sandbox/frame',
    summary: 'the frame host: opens ?app=<url> in a frame as the portal does (placement, options, lang, mode, portal, clientId); an HTML page',
  },
  { method: 'POST', path: '/__sandbox/frame/refresh', summary: "the frame host page's refreshAuth: JSON body { appSid, refreshToken }" },
];

const ok = (result: unknown): SandboxAnswer => ({ status: 200, body: { result } });
const badRequest = (description: string) => new WireError(400, '', description);

function jsonBody(body: string, required: boolean): unknown {
  if (body.trim() === '') {
    if (required) throw badRequest('This admin route needs a JSON body.');
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw badRequest(`The request body is not valid JSON (${(error as Error).message}).`);
  }
  checkDepth(parsed, DEFAULT_LIMITS.maxDepth);
  return parsed;
}

function seedOf(body: string, required: boolean) {
  const value = jsonBody(body, required);
  if (value === undefined) return undefined;
  try {
    return checkSeed(value);
  } catch (error) {
    if (error instanceof SeedError) throw badRequest(`Invalid seed: ${error.message}`);
    throw error;
  }
}

function faultOf(body: string): { method: string; fault: Fault; times: number } {
  const value = jsonBody(body, true);
  if (!isRecord(value)) throw badRequest('The body must be a JSON object { method, fault, times? }.');
  const { method, fault, times = 1 } = value;
  if (typeof method !== 'string' || method === '') throw badRequest('method must be a method name such as "crm.lead.contact.add", or "*" for any method.');
  if (!Number.isInteger(times) || (times as number) < 1) throw badRequest('times must be a positive integer.');
  if (typeof fault === 'string') return { method, fault, times: times as number };
  if (!isRecord(fault) || !Number.isInteger(fault.status) || typeof fault.error !== 'string') {
    throw badRequest('fault must be the name of a documented error example (e.g. "queryLimitExceeded") or { status, error, error_description? }.');
  }
  if (fault.error_description !== undefined && typeof fault.error_description !== 'string') throw badRequest('fault.error_description must be a string.');
  return { method, fault: fault as Fault, times: times as number };
}

function tokenOf(body: string): { token: string; scopes?: string[] } {
  const value = jsonBody(body, true);
  if (!isRecord(value) || typeof value.token !== 'string' || value.token === '') throw badRequest('The body must be a JSON object with a non-empty token.');
  const { scopes } = value;
  if (scopes !== undefined && !(Array.isArray(scopes) && scopes.every((scope) => typeof scope === 'string'))) {
    throw badRequest('scopes must be an array of scope names such as ["crm"].');
  }
  return { token: value.token, ...(scopes ? { scopes: scopes as string[] } : {}) };
}

function appOf(body: string) {
  const value = jsonBody(body, true);
  if (!isRecord(value)) throw badRequest('The body must be a JSON object { clientId, clientSecret, handler?, scopes? }.');
  const { clientId, clientSecret, handler, scopes } = value;
  if (typeof clientId !== 'string' || clientId === '' || clientId.length > 200)
    throw badRequest('clientId must be a non-empty string of at most 200 characters.');
  if (typeof clientSecret !== 'string' || clientSecret === '' || clientSecret.length > 200) {
    throw badRequest('clientSecret must be a non-empty string of at most 200 characters.');
  }
  if (handler !== undefined && typeof handler !== 'string') throw badRequest('handler must be a URL string.');
  if (scopes !== undefined && !(Array.isArray(scopes) && scopes.every((scope) => typeof scope === 'string'))) {
    throw badRequest('scopes must be an array of scope names such as ["crm"].');
  }
  return { clientId, clientSecret, ...(handler === undefined ? {} : { handler }), ...(scopes ? { scopes: scopes as string[] } : {}) };
}

/** `?start=&limit=` of a paged read (the journal, the state): absent, or a whole number (limit at least 1). */
function pageOf(url: URL): { start?: number; limit?: number } {
  const read = (name: 'start' | 'limit', min: number) => {
    const text = url.searchParams.get(name);
    if (text === null) return {};
    const value = /^\d{1,15}$/.test(text) ? Number(text) : Number.NaN;
    if (!(value >= min)) throw badRequest(`${name} must be an integer of at least ${min}, got "${text.slice(0, 20)}".`);
    return { [name]: value };
  };
  return { ...read('start', 0), ...read('limit', 1) };
}

function recordId(text: string): number {
  const id = /^\d{1,15}$/.test(text) ? Number(text) : Number.NaN;
  if (!(id > 0)) throw badRequest(`The record id must be a positive integer, got "${text.slice(0, 20)}".`);
  return id;
}

/** The engine's own argument errors (an unknown fault name, a bad status) are written for the caller. */
function asBadRequest<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof TypeError) throw badRequest(error.message);
    throw error;
  }
}

/** An install refused by the authorization server (a wrong secret) or by a cap answers 400/401 with its reason. */
function asAppError<T>(run: () => T): T {
  try {
    return asBadRequest(run);
  } catch (error) {
    if (error instanceof OAuthError) throw new WireError(error.status, error.error, error.description);
    if (error instanceof RangeError) throw badRequest(error.message);
    throw error;
  }
}

/**
 * The admin API of a sandbox server, for test suites in any language. The portal is picked by
 * `?portal=<webhook code>` (the default portal without it) and created on first use, so a suite can
 * seed its portal before its first call. Answers `{ result }` or a Bitrix24-shaped error.
 */
export function handleAdmin(registry: PortalRegistry, request: AdminRequest): SandboxAnswer {
  const url = new URL(request.url, 'http://sandbox.invalid');
  const method = request.method.toUpperCase();
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const portalKey = url.searchParams.get('portal');
  // Reads (and emptying a journal) of a code never used must not create its portal: a read cannot
  // fill `maxPortals` and lock real workers out.
  const reads = method === 'GET' || method === 'HEAD' || (method === 'DELETE' && /^\/__sandbox\/calls\/*$/.test(url.pathname));
  const portal = (): SandboxPortal => (reads ? registry.lookup(portalKey ?? DEFAULT_PORTAL) : registry.portal(portalKey ?? DEFAULT_PORTAL));
  const route = `${method} ${path}`;
  const record = /^\/__sandbox\/(leads|contacts)\/([^/]*)$/.exec(path);

  if (route === 'GET /__sandbox' || route === 'HEAD /__sandbox') {
    return ok({ defaultPortal: DEFAULT_PORTAL, portals: registry.size, maxPortals: registry.maxPortals, routes: ADMIN_ROUTES });
  }
  if (route === 'POST /__sandbox/reset') {
    const seed = seedOf(request.body, false);
    portal().reset(seed);
    return ok(true);
  }
  if (route === 'POST /__sandbox/seed') {
    const seed = seedOf(request.body, true);
    portal().reset(seed);
    return ok(true);
  }
  if (route === 'GET /__sandbox/calls') {
    const page = pageOf(url);
    const journal = portal();
    return { status: 200, body: journalPage(journal.calls, journal.droppedCalls, page) };
  }
  if (route === 'DELETE /__sandbox/calls') {
    portal().clearCalls();
    return ok(true);
  }
  if (route === 'POST /__sandbox/faults') {
    const { method: failing, fault, times } = faultOf(request.body);
    asBadRequest(() => portal().fail(failing, fault, { times }));
    return ok(true);
  }
  if (route === 'GET /__sandbox/state') return { status: 200, body: portal().snapshotPage(pageOf(url)) };
  if (record && method === 'GET') {
    const id = recordId(record[2]!);
    const found = record[1] === 'leads' ? portal().lead(id) : portal().contact(id);
    if (!found) throw new WireError(404, 'NOT_FOUND', `${record[1] === 'leads' ? 'Lead' : 'Contact'} ${id} is not in this portal.`);
    return ok(found);
  }
  if (route === 'POST /__sandbox/tokens/allow') {
    const { token, scopes } = tokenOf(request.body);
    portal().allowToken(token, scopes);
    return ok(true);
  }
  if (route === 'POST /__sandbox/tokens/expire') {
    portal().expireToken(tokenOf(request.body).token);
    return ok(true);
  }
  if (route === 'POST /__sandbox/apps/install') {
    const app = appOf(request.body);
    return ok(asAppError(() => portal().installApp(app)));
  }
  if (route === 'POST /__sandbox/apps/authorize') {
    const app = appOf(request.body);
    return ok(asAppError(() => portal().authorizeApp(app)));
  }
  if (route === 'GET /__sandbox/deliveries') {
    const page = pageOf(url);
    const target = portal();
    return { status: 200, body: journalPage(target.deliveries, target.droppedDeliveries, page) };
  }
  if (route === 'GET /__sandbox/clock') return ok({ now: registry.now() });
  if (route === 'POST /__sandbox/clock') {
    const value = jsonBody(request.body, true);
    const advance = isRecord(value) ? value.advanceMs : undefined;
    if (!Number.isSafeInteger(advance) || (advance as number) < 0)
      throw badRequest('The body must be { advanceMs } with a whole number of milliseconds of at least 0.');
    registry.advanceClock(advance as number);
    return ok({ now: registry.now() });
  }
  if (route === 'DELETE /__sandbox/portal') {
    if (portalKey === null) throw badRequest('Name the portal to remove: DELETE /__sandbox/portal?portal=<webhook code>.');
    return ok(registry.remove(portalKey));
  }
  const known = ADMIN_ROUTES.some((r) => r.path.replace(/\/$/, '').replace('{id}', '') === (record ? `/__sandbox/${record[1]}/` : path));
  if (known) throw new WireError(405, 'ERROR_METHOD_NOT_ALLOWED', `${method} is not supported on ${path}; see GET /__sandbox/ for the routes.`);
  throw new WireError(404, 'ERROR_METHOD_NOT_FOUND', `Unknown sandbox admin route ${method} ${path.slice(0, 80)}; see GET /__sandbox/ for the routes.`);
}
