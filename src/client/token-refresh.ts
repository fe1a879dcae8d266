import type { Endpoint } from './auth.js';

/** A pair of OAuth tokens as the client holds them. */
export interface OAuthTokens {
  accessToken: string;
  refreshToken?: string;
}

/** OAuth options for refreshing an expired access token. The client never needs the client secret. */
export interface TokenRefreshOptions {
  /** The current refresh token, handed to `onTokenExpired`. */
  refreshToken?: string;
  /**
   * Called once when Bitrix24 answers 401 `expired_token`, however many calls are in flight; it
   * exchanges the refresh token (e.g. at `https://oauth.bitrix.info/oauth/token/`) and returns the
   * new tokens. Without it, `expired_token` is thrown to the caller.
   */
  onTokenExpired?: (context: { refreshToken?: string }) => Promise<OAuthTokens>;
  /** Called with the new tokens after a refresh, so the caller can persist them; a returned promise is awaited. */
  onTokensRefreshed?: (tokens: OAuthTokens) => unknown;
}

/**
 * Returns a function that makes sure the token is newer than `usedToken`: it refreshes once for a
 * burst of `expired_token` answers and resolves at once for calls that were sent before a refresh.
 * Undefined when refreshing is not set up.
 */
export function createTokenRefresher(endpoint: Endpoint, options: TokenRefreshOptions) {
  const { onTokenExpired, onTokensRefreshed } = options;
  if (!onTokenExpired || !endpoint.accessToken) return;
  let { refreshToken } = options;
  let pending: Promise<void> | undefined;
  if (refreshToken) endpoint.secrets.push(refreshToken);
  return (usedToken?: string): Promise<void> =>
    endpoint.accessToken !== usedToken
      ? Promise.resolve()
      : (pending ??= (async () => {
          try {
            const tokens = await onTokenExpired({ refreshToken });
            if (!tokens?.accessToken) throw new TypeError('onTokenExpired returned no accessToken');
            // Mask the new tokens before anything can echo them.
            endpoint.secrets.push(tokens.accessToken, tokens.refreshToken ?? '');
            endpoint.accessToken = tokens.accessToken;
            refreshToken = tokens.refreshToken ?? refreshToken;
            await onTokensRefreshed?.({ accessToken: tokens.accessToken, refreshToken });
          } finally {
            pending = undefined;
          }
        })());
}
