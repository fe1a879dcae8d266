import type { DecodedCall } from '../wire/decode-request.js';
import type { MethodTarget } from '../wire/method-url.js';
import { documentedError } from './contract-data.js';
import type { AppTokenGrant } from './oauth.js';

/** A webhook the sandbox accepts: its code, and optionally its user id and scopes (default `crm`). */
export type WebhookGrant = string | { code: string; userId?: number | string; scopes?: string[] };
/** An OAuth token the sandbox accepts, optionally with its scopes (default `crm`). */
export type TokenGrant = string | { token: string; scopes?: string[] };

export interface AuthOptions {
  /** Only these webhook codes are accepted (401 `NO_AUTH_FOUND` otherwise). Default: any. */
  webhooks?: WebhookGrant[];
  /** Only these OAuth tokens are accepted (401 `NO_AUTH_FOUND` otherwise). Default: any. */
  tokens?: TokenGrant[];
  /** Tokens that answer 401 `expired_token`. */
  expiredTokens?: string[];
}

/** Who is calling: a key for the per-credential run-time budgets (never shown) and the granted scopes (undefined: all). */
export interface Credential {
  key: string;
  scopes?: readonly string[];
  /** The installed app and user an access token the sandbox issued acts for (`event.*` needs it). */
  app?: { clientId: string; userId: number };
}

/** The tokens a portal knows at run time: allowed by hand, expired by hand, issued to an app (expiring on the clock). */
export interface TokenRuntime {
  expired: ReadonlySet<string>;
  allowed: ReadonlyMap<string, string[]>;
  grants?: ReadonlyMap<string, AppTokenGrant>;
  now?: () => number;
}

/** The scope a method needs: `crm` for `crm.*`, none for `batch` (its commands need theirs). */
const scopeOf = (method: string) => (method.startsWith('crm.') ? 'crm' : undefined);

/** Throws the documented 403 `insufficient_scope` when `method` needs a scope the credential lacks. */
export function requireScope(scopes: readonly string[] | undefined, method: string) {
  const needed = scopeOf(method);
  if (needed && scopes && !scopes.includes(needed)) throw documentedError('insufficientScope');
}

/**
 * Checks a call's credentials the way the portal does: a webhook code in the URL, or an OAuth token
 * in `auth` (body or query). Throws the documented 401/403 answer when they are refused.
 */
export function checkAuth(options: AuthOptions | undefined, target: MethodTarget, call: DecodedCall, runtime: TokenRuntime): Credential {
  if (target.form === 'webhook') {
    const code = target.webhookCode ?? '';
    if (options?.webhooks) {
      const grant = options.webhooks
        .map((g) => (typeof g === 'string' ? { code: g } : g))
        .find((g) => g.code === code && (g.userId === undefined || String(g.userId) === target.userId));
      if (!grant) throw documentedError('noAuthFound');
      const scopes = grant.scopes ?? ['crm'];
      requireScope(scopes, target.method);
      return { key: `webhook ${target.userId} ${code}`, scopes };
    }
    return { key: `webhook ${target.userId} ${code}` };
  }
  const token = call.auth;
  if (!token) throw documentedError('noAuthFound');
  if (runtime.expired.has(token)) throw documentedError('expiredToken');
  const grant = runtime.grants?.get(token);
  if (grant) {
    if (runtime.now && grant.expiresAt <= runtime.now()) throw documentedError('expiredToken');
    requireScope(grant.scopes, target.method);
    return { key: `oauth ${grant.clientId}`, scopes: grant.scopes, app: { clientId: grant.clientId, userId: grant.userId } };
  }
  let scopes = runtime.allowed.get(token);
  if (!scopes && options?.tokens) {
    const grant = options.tokens.map((g) => (typeof g === 'string' ? { token: g } : g)).find((g) => g.token === token);
    if (!grant) throw documentedError('noAuthFound');
    scopes = grant.scopes ?? ['crm'];
  }
  requireScope(scopes, target.method);
  // One app: its tokens change on every refresh, but its budgets do not.
  return scopes ? { key: 'oauth', scopes } : { key: 'oauth' };
}
