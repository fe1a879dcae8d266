import { WireError } from './wire-error.js';

/** How a request names its method and carries its credentials. */
export type AuthForm = 'webhook' | 'oauth' | 'bare';

/** What a Bitrix24 request URL says: the method, the auth form and, for a webhook, its user and code. */
export interface MethodTarget {
  method: string;
  form: AuthForm;
  /** The webhook's user id (webhook form only). */
  userId?: string;
  /** The webhook's secret code (webhook form only). */
  webhookCode?: string;
  /** The query string, which may carry parameters (GET) or `auth`. */
  query: URLSearchParams;
}

const METHOD_NAME = /^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*$/i;

/**
 * Reads the URL forms real clients send:
 * - `/rest/{userId}/{code}/{method}` (incoming webhook),
 * - `/rest/{method}` and `/rest//{method}` (OAuth; the official JS SDK sends the double slash),
 * - `/{method}` (the bare path the contract's servers resolve to),
 * each with an optional `.json` suffix, a trailing slash and any query string.
 * Returns null when the path is none of them. Works segment by segment, so it is linear in the URL.
 */
export function parseMethodUrl(url: string): MethodTarget | null {
  let parsed: URL;
  try {
    parsed = new URL(url, 'http://sandbox.invalid');
  } catch {
    return null;
  }
  const segments = parsed.pathname.split('/').slice(1);
  if (segments.length > 1 && segments[segments.length - 1] === '') segments.pop(); // trailing slash
  let form: AuthForm;
  let userId: string | undefined;
  let webhookCode: string | undefined;
  let name: string | undefined;
  if (segments[0] !== 'rest') {
    if (segments.length !== 1) return null;
    form = 'bare';
    name = segments[0];
  } else if (segments.length === 4 && /^\d+$/.test(segments[1]!) && segments[2]) {
    form = 'webhook';
    [, userId, webhookCode, name] = segments;
  } else if (segments.length === 2 || (segments.length === 3 && segments[1] === '')) {
    form = 'oauth';
    name = segments[segments.length - 1];
  } else {
    return null;
  }
  if (!name) return null;
  if (name.toLowerCase().endsWith('.json')) name = name.slice(0, -5);
  if (!METHOD_NAME.test(name)) return null;
  let code = webhookCode;
  if (code !== undefined) {
    try {
      code = decodeURIComponent(code);
    } catch {
      // left as sent; it will simply not match a configured code
    }
  }
  return { method: name.toLowerCase(), form, ...(userId ? { userId } : {}), ...(code !== undefined ? { webhookCode: code } : {}), query: parsed.searchParams };
}

/** Like {@link parseMethodUrl}, but answers an unknown path with Bitrix24's 404. */
export function requireMethodUrl(url: string): MethodTarget {
  const target = parseMethodUrl(url);
  if (!target) throw new WireError(404, 'ERROR_METHOD_NOT_FOUND', 'Method not found!');
  return target;
}
