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
 * Where calls go, which strings must never leave the client, and (for OAuth) what a refresh needs:
 * the refresh token and callbacks, so the in-process refresh and a store's read them from here.
 */
export interface Endpoint extends TokenRefreshOptions {
  /** Base URL that method names are appended to, e.g. `https://portal/rest/1/code`. */
  baseUrl: string;
  /** The OAuth access token to send as `auth`, if this endpoint uses OAuth. */
  accessToken?: string;
  /** Strings to mask in everything the client reports. */
  secrets: string[];
}

/** A portal move the client followed, as reported to `onPortalMoved`. */
export interface PortalMove {
  /** The origin calls went to before, e.g. `https://old.bitrix24.com`. */
  from: string;
  /** The origin all later calls go to, e.g. `https://new.bitrix24.com`. */
  to: string;
}

/** Options shared by both ways of connecting. */
export interface ConnectionSecurityOptions {
  /**
   * Allow a plain `http://` address. Bitrix24 itself refuses HTTP (`INVALID_REQUEST`); this exists
   * for local mocks. Default `false`.
   */
  allowInsecureHttp?: boolean;
  /**
   * Follow a redirect to another origin, the way Bitrix24 answers at an old address after a portal's
   * domain changed: the call is sent to the new origin with its credentials (webhook code, `auth`,
   * your headers; not cookies), and the client sends every later call there too. Without it (the
   * default) such a redirect fails with `PORTAL_MOVED` and its `newOrigin`, and nothing is sent there.
   * Never to plain `http://` from an `https://` portal.
   */
  followPortalMoves?: boolean;
  /** With `followPortalMoves`: told once per move, so the app can store the new address. Exceptions are ignored. */
  onPortalMoved?: (move: PortalMove) => unknown;
}

/** Connects through an incoming webhook. */
export interface WebhookConnection extends ConnectionSecurityOptions {
  /**
   * The webhook URL Bitrix24 shows when the webhook is created:
   * `https://{portal}/rest/{userId}/{webhookCode}/` (a trailing method name is ignored).
   */
  webhookUrl: string;
}

/** Connects as an OAuth 2.0 application. */
export interface OAuthConnection extends ConnectionSecurityOptions, TokenRefreshOptions {
  /** The portal address: a host name (`example.bitrix24.com`) or the `client_endpoint` URL. */
  portal: string;
  /** The current access token. */
  accessToken: string;
}

export type Connection = WebhookConnection | OAuthConnection;

const WEBHOOK_PATH = /^(?<prefix>.*?\/rest\/\d+\/(?<code>[^/]+))(?:\/.*)?$/;

function parseUrl(text: string, what: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new TypeError(`${what} is not a valid absolute URL`);
  }
}

function checkScheme(url: URL, allowInsecureHttp: boolean | undefined, what: string): void {
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && allowInsecureHttp) return;
  if (url.protocol === 'http:') {
    throw new TypeError(`${what} uses plain http://; Bitrix24 requires HTTPS. Pass allowInsecureHttp: true only for a local mock.`);
  }
  throw new TypeError(`${what} must be an https:// URL`);
}

/** Validates a connection and derives the base URL and the secrets to mask. Messages never echo secrets. */
export function resolveEndpoint(connection: Connection): Endpoint {
  // A connection with a `webhookUrl` set is a webhook, whatever else it holds.
  if ('webhookUrl' in connection && connection.webhookUrl !== undefined) {
    const url = parseUrl(connection.webhookUrl, 'webhookUrl');
    checkScheme(url, connection.allowInsecureHttp, 'webhookUrl');
    const match = WEBHOOK_PATH.exec(url.pathname);
    if (!match?.groups) {
      throw new TypeError('webhookUrl must look like https://{portal}/rest/{userId}/{webhookCode}/');
    }
    const code = decodeURIComponent(match.groups.code!);
    return { baseUrl: `${url.origin}${match.groups.prefix}`, secrets: [code] };
  }
  const { portal, accessToken, refreshToken, onTokenExpired, onTokensRefreshed } = connection as OAuthConnection;
  if (!portal || typeof portal !== 'string') throw new TypeError('portal is required (or pass webhookUrl)');
  if (!accessToken || typeof accessToken !== 'string') throw new TypeError('accessToken must be a non-empty string');
  const url = parseUrl(/^[a-z][a-z0-9+.-]*:\/\//i.test(portal) ? portal : `https://${portal}`, 'portal');
  checkScheme(url, connection.allowInsecureHttp, 'portal');
  const path = url.pathname.replace(/\/+$/, '');
  const restPath = path.endsWith('/rest') ? path : `${path}/rest`;
  return { baseUrl: `${url.origin}${restPath}`, accessToken, secrets: [accessToken], refreshToken, onTokenExpired, onTokensRefreshed };
}
