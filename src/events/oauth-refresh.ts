// Token refresh for server apps: swaps the refresh token at the authorization server, as
// `onTokenExpired` of the client expects. It needs the client secret, so it belongs on a server only.
import type { OAuthTokens } from '../client/auth.js';
import { OAUTH_SERVER } from '../wire/bitrix24.js';

export interface OAuthRefreshOptions {
  clientId: string;
  clientSecret: string;
  /** The authorization server. Default `https://oauth.bitrix.info` (a sandbox: its `url`). */
  oauthServer?: string;
  fetch?: typeof globalThis.fetch;
  /** Told of the whole answer (member_id, client_endpoint, expires, …) after each refresh. */
  onRefreshed?(answer: OAuthTokenAnswer): void | Promise<void>;
}

/** What the authorization server answers for a refresh. */
export interface OAuthTokenAnswer {
  access_token: string;
  refresh_token: string;
  expires?: number;
  expires_in: number;
  member_id?: string;
  domain?: string;
  client_endpoint?: string;
  server_endpoint?: string;
  scope?: string;
  status?: string;
  user_id?: number;
}

/** The authorization server refused the refresh: `code` is its `error` (`invalid_grant`, `invalid_client`, …). */
export class OAuthRefreshError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    description: string,
  ) {
    super(`Token refresh failed: ${code}${description ? ` (${description})` : ''}`);
    this.name = 'OAuthRefreshError';
  }
}

/**
 * An `onTokenExpired` for `createBitrix24Client` that refreshes at the authorization server
 * (`GET {oauthServer}/oauth/token/?grant_type=refresh_token&…`, as the docs show it). The secret and
 * the tokens never appear in its errors.
 *
 * @example
 * createBitrix24Client({ portal, accessToken, refreshToken, onTokenExpired: oauthRefresh({ clientId, clientSecret }) });
 */
export function oauthRefresh(options: OAuthRefreshOptions): (context: { refreshToken?: string }) => Promise<OAuthTokens> {
  const { clientId, clientSecret, oauthServer = OAUTH_SERVER, onRefreshed } = options;
  if (!clientId || !clientSecret) throw new TypeError('oauthRefresh needs clientId and clientSecret.');
  const endpoint = new URL('/oauth/token/', oauthServer);
  if (endpoint.protocol !== 'https:' && !['127.0.0.1', 'localhost', '[::1]'].includes(endpoint.hostname)) {
    throw new TypeError('The OAuth server must be https (plain http only on loopback, e.g. a sandbox).');
  }
  return async ({ refreshToken }) => {
    if (!refreshToken) throw new OAuthRefreshError('invalid_request', 0, 'no refresh token to refresh with');
    const url = new URL(endpoint);
    url.search = new URLSearchParams({ grant_type: 'refresh_token', client_id: clientId, client_secret: clientSecret, refresh_token: refreshToken }).toString();
    let response: Response;
    try {
      response = await (options.fetch ?? globalThis.fetch)(url, { method: 'GET', headers: { accept: 'application/json' } });
    } catch (error) {
      // The URL holds the secret: only the kind of failure is kept.
      throw new OAuthRefreshError('network_error', 0, error instanceof Error ? error.name : 'fetch failed');
    }
    let body: Record<string, unknown>;
    try {
      body = (await response.json()) as Record<string, unknown>;
    } catch {
      throw new OAuthRefreshError('invalid_response', response.status, 'the answer is not JSON');
    }
    if (!response.ok || typeof body.access_token !== 'string') {
      const code = typeof body.error === 'string' ? body.error : 'invalid_response';
      const description = typeof body.error_description === 'string' ? body.error_description.slice(0, 200) : '';
      throw new OAuthRefreshError(code, response.status, description);
    }
    const answer = body as unknown as OAuthTokenAnswer;
    await onRefreshed?.(answer);
    return { accessToken: answer.access_token, refreshToken: answer.refresh_token };
  };
}
