import { redact } from '../../secrets.js';
import { maskAuthValues } from './auth-patterns.js';

/** A usage mistake (missing or bad settings): printed without a stack, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Where verify sends its calls, and the strings it must never print. */
export interface PortalConnection {
  kind: 'webhook' | 'oauth';
  /** The portal's origin: the only place requests and credentials go. */
  origin: string;
  /** The URL method names are appended to. */
  base: string;
  /** The webhook URL as the client takes it (webhook form). */
  webhookUrl?: string;
  token?: string;
  secrets: string[];
}

/** Reads the connection from the environment (`B24_WEBHOOK_URL`, or `B24_PORTAL` + `B24_ACCESS_TOKEN`), or null. */
export function connectionFromEnv(env: Record<string, string | undefined> = process.env, { allowHttp = false } = {}): PortalConnection | null {
  const check = (url: URL, name: string) => {
    if (url.protocol === 'https:' || (allowHttp && url.protocol === 'http:')) return;
    throw new UsageError(`${name} must be an https:// address (plain http:// only with --allow-http, for local fakes).`);
  };
  if (env.B24_WEBHOOK_URL) {
    let url: URL;
    try {
      url = new URL(env.B24_WEBHOOK_URL);
    } catch {
      throw new UsageError('B24_WEBHOOK_URL is not a URL; expected https://{portal}/rest/{userId}/{webhookCode}/');
    }
    check(url, 'B24_WEBHOOK_URL');
    const match = /^\/rest\/(\d+)\/([^/]+)\/?$/.exec(url.pathname);
    if (!match) throw new UsageError('B24_WEBHOOK_URL must look like https://{portal}/rest/{userId}/{webhookCode}/');
    const base = `${url.origin}/rest/${match[1]}/${match[2]}/`;
    return { kind: 'webhook', origin: url.origin, base, webhookUrl: base, secrets: [match[2]!, decodeURIComponent(match[2]!)] };
  }
  if (env.B24_PORTAL && env.B24_ACCESS_TOKEN) {
    let url: URL;
    try {
      url = new URL(/^https?:\/\//.test(env.B24_PORTAL) ? env.B24_PORTAL : `https://${env.B24_PORTAL}`);
    } catch {
      throw new UsageError('B24_PORTAL is not a host name or URL; expected e.g. your-portal.bitrix24.com');
    }
    check(url, 'B24_PORTAL');
    return { kind: 'oauth', origin: url.origin, base: `${url.origin}/rest/`, token: env.B24_ACCESS_TOKEN, secrets: [env.B24_ACCESS_TOKEN] };
  }
  return null;
}

/**
 * Replaces every secret in a text with `***`, in each spelling the client's own masking knows
 * (percent-, form- and JSON-escaped); with `patterns` (the default) also any webhook code in a
 * `/rest/{userId}/{code}` path and any `auth` value, so the secrets of an app seen through the proxy
 * are masked too.
 */
export function mask(text: unknown, secrets: readonly (string | undefined)[] = [], patterns = true): string {
  const masked = redact(
    String(text),
    secrets.filter((secret): secret is string => Boolean(secret)),
  );
  return patterns ? maskAuthValues(masked) : masked;
}
