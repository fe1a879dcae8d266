import type { Endpoint } from './auth.js';

/**
 * Returns a function that makes sure the token is newer than `usedToken`: it refreshes once for a
 * burst of `expired_token` answers and resolves at once for calls that were sent before a refresh.
 * Undefined when refreshing is not set up.
 */
export function createTokenRefresher(endpoint: Endpoint) {
  const { onTokenExpired, onTokensRefreshed } = endpoint;
  if (!onTokenExpired || !endpoint.accessToken) return;
  let { refreshToken } = endpoint;
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
