import { type Endpoint, resolveEndpoint } from '../../client/auth.js';
import { redact } from '../../client/secrets.js';
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
  const { B24_WEBHOOK_URL: webhookUrl, B24_PORTAL: portal, B24_ACCESS_TOKEN: accessToken } = env;
  if (!webhookUrl && !(portal && accessToken)) return null;
  const name = webhookUrl ? 'B24_WEBHOOK_URL' : 'B24_PORTAL';
  // The client's own parsing, so verify accepts exactly the addresses the client does; only the
  // scheme rule speaks of --allow-http, and messages name the variable rather than the option.
  let endpoint: Endpoint;
  try {
    endpoint = resolveEndpoint(webhookUrl ? { webhookUrl, allowInsecureHttp: true } : { portal: portal!, accessToken: accessToken!, allowInsecureHttp: true });
  } catch (error) {
    throw new UsageError(`${name}: ${(error as Error).message.replace(/^(webhookUrl|portal) /, '')}`);
  }
  const origin = new URL(endpoint.baseUrl).origin;
  if (!origin.startsWith('https:') && !(allowHttp && origin.startsWith('http:'))) {
    throw new UsageError(`${name} must be an https:// address (plain http:// only with --allow-http, for local fakes).`);
  }
  const base = `${endpoint.baseUrl}/`;
  if (webhookUrl) {
    // The code as it stood in the URL too, when that spelling was percent-encoded.
    const code = endpoint.baseUrl.slice(endpoint.baseUrl.lastIndexOf('/') + 1);
    return { kind: 'webhook', origin, base, webhookUrl: base, secrets: [...new Set([code, ...endpoint.secrets])] };
  }
  return { kind: 'oauth', origin, base, token: endpoint.accessToken, secrets: endpoint.secrets };
}

/** The secrets the environment holds, for masking an error raised before the connection was read. */
export function secretsFromEnv(env: Record<string, string | undefined> = process.env): string[] {
  try {
    return [...(connectionFromEnv(env, { allowHttp: true })?.secrets ?? []), env.B24_ACCESS_TOKEN ?? ''];
  } catch {
    return [env.B24_ACCESS_TOKEN ?? ''];
  }
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
