// The frame host's routes under the admin prefix (so the admin API's exposure rules cover them):
// `GET /__sandbox/frame?app=…` opens an app in a frame, `POST /__sandbox/frame/refresh` is the
// page's refreshAuth. Bad query values get a 400 naming the parameter and the rule.
import { checkDepth } from '../wire/bracket-form.js';
import { DEFAULT_LIMITS } from '../wire/limits.js';
import { isRecord } from '../wire/json-pointer.js';
import { WireError } from '../wire/wire-error.js';
import type { FrameHostConfig } from './frame-host-script.js';
import { framePage } from './frame-page.js';
import type { FrameSessions } from './frame-sessions.js';
import { DEFAULT_PORTAL, type PortalRegistry } from './portal-registry.js';

export const FRAME_PATH = '/__sandbox/frame';
const REFRESH_PATH = `${FRAME_PATH}/refresh`;
/** Host log lines a page keeps; a frame that floods it loses its oldest lines, not the page. */
export const MAX_FRAME_LOG_ENTRIES = 500;

export interface FrameAnswer {
  status: number;
  contentType: 'text/html' | 'application/json';
  body: string;
}

const badRequest = (description: string) => new WireError(400, '', description);

/** The query parameters of the frame host, each checked and named in its error. */
export interface FrameQuery {
  app: string;
  placement: string;
  options: Record<string, unknown>;
  lang: string;
  mode: 'post' | 'get';
  portal: string;
  /** The installed app the frame belongs to; undefined: the host's own local app. */
  clientId: string | undefined;
  firstRun: boolean;
  install: boolean;
  admin: boolean;
  userOptions: Record<string, unknown>;
  appOptions: Record<string, unknown>;
}

function jsonObject(name: string, text: string | null): Record<string, unknown> {
  if (text === null || text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest(`${name} must be a JSON object such as {"ID":"1"}; it is not valid JSON.`);
  }
  if (!isRecord(value)) throw badRequest(`${name} must be a JSON object such as {"ID":"1"}.`);
  checkDepth(value, DEFAULT_LIMITS.maxDepth);
  return value;
}

function flag(name: string, text: string | null): boolean {
  if (text === null || text === '' || text === '0') return false;
  if (text === '1') return true;
  throw badRequest(`${name} must be 1 or 0, got "${text.slice(0, 20)}".`);
}

function clientIdOf(text: string | null): string | undefined {
  if (text === null || text === '') return undefined;
  if (!/^[\w.-]{1,100}$/.test(text))
    throw badRequest('clientId must be an app\'s client id such as local.5f3a1b2c3d4e5f.12345678 (letters, digits, ".", "_", "-").');
  return text;
}

/** Reads and checks the frame host's query (see docs/frame.md for each parameter). */
export function readFrameQuery(search: URLSearchParams): FrameQuery {
  const app = search.get('app');
  if (!app) throw badRequest('app is required: the URL of your app, e.g. /__sandbox/frame?app=http://localhost:5173/');
  let url: URL;
  try {
    url = new URL(app);
  } catch {
    throw badRequest('app must be an absolute http:// or https:// URL, e.g. http://localhost:5173/.');
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) {
    throw badRequest('app must be an absolute http:// or https:// URL without user name or password.');
  }
  const placement = search.get('placement') ?? 'DEFAULT';
  if (!/^[A-Z][A-Z0-9_]{0,99}$/.test(placement)) throw badRequest('placement must be a placement code in capitals, e.g. DEFAULT or CRM_LEAD_DETAIL_TAB.');
  const lang = search.get('lang') ?? 'en';
  if (!/^[a-z]{2}$/.test(lang)) throw badRequest(`lang must be a two-letter language code such as en or ru, got "${lang.slice(0, 20)}".`);
  const mode = search.get('mode') ?? 'post';
  if (mode !== 'post' && mode !== 'get') throw badRequest("mode must be post (the portal's form) or get (for dev servers that refuse POST).");
  return {
    app: url.href,
    placement,
    options: jsonObject('options', search.get('options')),
    lang,
    mode,
    portal: search.get('portal') ?? DEFAULT_PORTAL,
    clientId: clientIdOf(search.get('clientId')),
    firstRun: flag('firstRun', search.get('firstRun')),
    install: flag('install', search.get('install')),
    admin: !(search.get('admin') === '0'),
    userOptions: jsonObject('userOptions', search.get('userOptions')),
    appOptions: jsonObject('appOptions', search.get('appOptions')),
  };
}

/** Whether a path is the frame host's. */
export const isFramePath = (pathname: string) => pathname === FRAME_PATH || pathname === REFRESH_PATH;

/** Answers a frame host route, or throws a WireError. */
export function handleFrame(registry: PortalRegistry, sessions: FrameSessions, request: { method: string; url: string; body: string }): FrameAnswer {
  const url = new URL(request.url, 'http://sandbox.invalid');
  const method = request.method.toUpperCase();
  if (url.pathname === REFRESH_PATH) {
    if (method !== 'POST') throw new WireError(405, 'ERROR_METHOD_NOT_ALLOWED', `${method} is not supported on ${REFRESH_PATH}; the host page POSTs to it.`);
    let value: unknown;
    try {
      value = JSON.parse(request.body);
    } catch {
      throw badRequest('The body must be JSON { appSid, refreshToken }.');
    }
    if (!isRecord(value) || typeof value.appSid !== 'string' || typeof value.refreshToken !== 'string') {
      throw badRequest('The body must be JSON { appSid, refreshToken } with two strings.');
    }
    return { status: 200, contentType: 'application/json', body: JSON.stringify({ result: sessions.refresh(value.appSid, value.refreshToken) }) };
  }
  if (method !== 'GET' && method !== 'HEAD')
    throw new WireError(405, 'ERROR_METHOD_NOT_ALLOWED', `${method} is not supported on ${FRAME_PATH}; open it with GET.`);
  const query = readFrameQuery(url.searchParams);
  const portal = registry.portal(query.portal);
  const { appSid, tokens, memberId } = sessions.open(portal, query.clientId);
  const config: FrameHostConfig = {
    appUrl: query.app,
    appOrigin: new URL(query.app).origin,
    appSid,
    mode: query.mode,
    placement: query.placement,
    placementOptions: query.options,
    lang: query.lang,
    memberId,
    auth: tokens,
    firstRun: query.firstRun || query.install,
    install: query.install,
    isAdmin: query.admin,
    userOptions: query.userOptions,
    appOptions: query.appOptions,
    refreshPath: REFRESH_PATH,
    maxLogEntries: MAX_FRAME_LOG_ENTRIES,
  };
  return { status: 200, contentType: 'text/html', body: framePage(config) };
}

/** The host's address for an app, as `sandbox.frameUrl()` and the CLI give it. */
export function frameUrl(
  origin: string,
  app: string,
  options: { placement?: string; options?: Record<string, unknown>; lang?: string; mode?: 'post' | 'get'; portal?: string; clientId?: string } = {},
): string {
  const query = new URLSearchParams({ app });
  if (options.placement) query.set('placement', options.placement);
  if (options.options && Object.keys(options.options).length > 0) query.set('options', JSON.stringify(options.options));
  if (options.lang) query.set('lang', options.lang);
  if (options.mode) query.set('mode', options.mode);
  if (options.portal) query.set('portal', options.portal);
  if (options.clientId) query.set('clientId', options.clientId);
  return `${origin}${FRAME_PATH}?${query}`;
}
