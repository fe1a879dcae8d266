// The sandbox's authorization server: what oauth.bitrix.info does for an app installed on a sandbox
// portal. It mints token pairs over the portals' own token registry (`allowToken` with an expiry on the
// sandbox clock), so a refreshed token works on the portal and an old one answers `expired_token` when
// the clock passes its hour. No Node APIs: tokens come from Web Crypto.
import { DEFAULT_APP_LIMITS, type AppLimits } from './app-limits.js';
import { ACCESS_TOKEN_LIFETIME_SECONDS, AUTHORIZATION_CODE_LIFETIME_MS, OAUTH_SERVER, REFRESH_TOKEN_LIFETIME_MS } from '../wire/bitrix24.js';

/** What the authorization server knows of a portal: its identity and how to make a token valid on it. */
export interface TokenPortal {
  /** Bitrix24's `member_id`: the portal's unique id (32 hex characters). */
  readonly memberId: string;
  /** The portal's address without scheme, as `auth[domain]` carries it. */
  readonly domain: string;
  /** `https://{domain}/rest/`: where the app calls methods. */
  readonly clientEndpoint: string;
  /** Accepts `token` for the app on this portal until `expiresAt` (sandbox clock, ms), and routes its calls here. */
  grantToken(token: string, grant: AppTokenGrant): void;
  /** The `application_token` of `clientId` on this portal, created on first install. */
  applicationToken(clientId: string): string;
}

/** An access token's owner: the app, the user it acts for, its scopes and when it stops working. */
export interface AppTokenGrant {
  clientId: string;
  userId: number;
  scopes: string[];
  /** Sandbox clock, ms. */
  expiresAt: number;
}

/** The answer of `/oauth/token/`, field for field as oauth.bitrix.info sends it. */
export interface TokenPair {
  access_token: string;
  refresh_token: string;
  /** Unix seconds when `access_token` expires. */
  expires: number;
  expires_in: number;
  scope: string;
  /** The authorization server's domain (the docs: `oauth.bitrix.info`). */
  domain: string;
  server_endpoint: string;
  client_endpoint: string;
  member_id: string;
  /** The app's status; a sandbox app is a local one (`L`). */
  status: 'L';
  user_id: number;
}

/** An app as the sandbox installs it. */
export interface AppCredentials {
  clientId: string;
  clientSecret: string;
  /** Granted scopes; default `['crm']`. */
  scopes?: string[];
  /** The user who installs it; default 1 (the portal's administrator). */
  userId?: number;
}

/** What installing answers: the first token pair plus the app's `application_token` on that portal. */
export interface InstalledApp extends TokenPair {
  application_token: string;
}

/** One of the documented authorization-server errors (`invalid_grant`, …), in its `{ error, error_description }` body. */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type',
    readonly description: string,
  ) {
    super(`${error}: ${description}`);
    this.name = 'OAuthError';
  }

  get body() {
    return { error: this.error, error_description: this.description };
  }
}

/** Caps of the authorization server's memory (app-limits.ts). */
export type OAuthLimits = Pick<AppLimits, 'maxApps' | 'maxGrants'>;

/** A random lowercase hex string, `bytes` bytes long: the form of Bitrix24's tokens and ids. */
export function randomHex(bytes = 16): string {
  const buffer = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(buffer);
  return Array.from(buffer, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

interface Grant {
  kind: 'refresh' | 'code';
  portal: TokenPortal;
  clientId: string;
  userId: number;
  scopes: string[];
  expiresAt: number;
}

const FORM_FIELDS = ['grant_type', 'client_id', 'client_secret', 'refresh_token', 'code'] as const;
type TokenForm = Partial<Record<(typeof FORM_FIELDS)[number], string>>;

/** Reads `/oauth/token/` parameters from the query (the docs use GET) and a form or JSON body. */
export function readTokenForm(url: string, contentType: string, body: string): TokenForm {
  const form: TokenForm = {};
  const take = (source: URLSearchParams | Record<string, unknown>) => {
    for (const name of FORM_FIELDS) {
      const value = source instanceof URLSearchParams ? source.get(name) : source[name];
      if (typeof value === 'string') form[name] = value;
    }
  };
  take(new URL(url, 'http://sandbox.invalid').searchParams);
  if (body.trim() !== '') {
    if (contentType.includes('json')) {
      try {
        const parsed: unknown = JSON.parse(body);
        if (parsed && typeof parsed === 'object') take(parsed as Record<string, unknown>);
      } catch {
        throw new OAuthError(400, 'invalid_request', 'The request body is not valid JSON.');
      }
    } else {
      take(new URLSearchParams(body));
    }
  }
  return form;
}

/**
 * The authorization server of one sandbox (one per server, shared by its portals): it knows each app's
 * secret, issues token pairs for an app on a portal, exchanges codes and refresh tokens once each.
 * Expiry reads the sandbox clock `now`.
 */
export class OAuthAuthority {
  private readonly secrets = new Map<string, string>();
  /** Refresh tokens and authorization codes, oldest first (a Map keeps insertion order). */
  private readonly grants = new Map<string, Grant>();
  private readonly limits: OAuthLimits;

  constructor(
    private readonly now: () => number,
    limits: Partial<OAuthLimits> = {},
    /** `server_endpoint` in answers: where `/oauth/token/` is served. */
    private readonly serverEndpoint: () => string = () => `${OAUTH_SERVER}/rest/`,
  ) {
    this.limits = { maxApps: limits.maxApps ?? DEFAULT_APP_LIMITS.maxApps, maxGrants: limits.maxGrants ?? DEFAULT_APP_LIMITS.maxGrants };
  }

  /** `server_endpoint` as tokens and deliveries carry it. */
  get serverEndpointUrl(): string {
    return this.serverEndpoint();
  }

  /** Whether an app with this client id was installed through this server. */
  knows(clientId: string): boolean {
    return this.secrets.has(clientId);
  }

  /** Registers an app (or checks its secret when it is known) and installs it on `portal`: the first token pair. */
  install(portal: TokenPortal, app: AppCredentials): InstalledApp {
    this.register(app.clientId, app.clientSecret);
    const pair = this.issue(portal, app.clientId, { scopes: app.scopes ?? ['crm'], userId: app.userId ?? 1 });
    return { ...pair, application_token: portal.applicationToken(app.clientId) };
  }

  /**
   * A fresh token pair for `clientId` on `portal`: the access token is granted on the portal until the
   * clock passes its hour, the refresh token kept for 180 days and usable once.
   */
  issue(portal: TokenPortal, clientId: string, grant: { scopes: string[]; userId: number }): TokenPair {
    if (!this.secrets.has(clientId)) throw new TypeError(`The app ${clientId.slice(0, 60)} is not registered; install it first.`);
    const issuedAt = this.now();
    const accessToken = randomHex();
    const refreshToken = randomHex();
    const expiresAt = issuedAt + ACCESS_TOKEN_LIFETIME_SECONDS * 1000;
    portal.grantToken(accessToken, { clientId, userId: grant.userId, scopes: grant.scopes, expiresAt });
    this.keep(refreshToken, { kind: 'refresh', portal, clientId, userId: grant.userId, scopes: grant.scopes, expiresAt: issuedAt + REFRESH_TOKEN_LIFETIME_MS });
    return {
      access_token: accessToken,
      refresh_token: refreshToken,
      expires: Math.floor(expiresAt / 1000),
      expires_in: ACCESS_TOKEN_LIFETIME_SECONDS,
      scope: grant.scopes.join(','),
      domain: new URL(this.serverEndpoint()).host,
      server_endpoint: this.serverEndpoint(),
      client_endpoint: portal.clientEndpoint,
      member_id: portal.memberId,
      status: 'L',
      user_id: grant.userId,
    };
  }

  /** An authorization code for an installed app on `portal` (what the portal's redirect would carry), usable once within 30 s. */
  authorize(portal: TokenPortal, app: AppCredentials): string {
    this.register(app.clientId, app.clientSecret);
    const code = randomHex();
    this.keep(code, {
      kind: 'code',
      portal,
      clientId: app.clientId,
      userId: app.userId ?? 1,
      scopes: app.scopes ?? ['crm'],
      expiresAt: this.now() + AUTHORIZATION_CODE_LIFETIME_MS,
    });
    return code;
  }

  /** Swaps a refresh token (once) for a new pair, as `grant_type=refresh_token` does. */
  refresh(clientId: string, clientSecret: string, refreshToken: string): TokenPair {
    return this.redeem('refresh', clientId, clientSecret, refreshToken);
  }

  /** Answers one `/oauth/token/` request: a token pair, or a documented error body. */
  answer(form: TokenForm): { status: number; body: unknown } {
    try {
      const { grant_type: type, client_id: clientId, client_secret: secret } = form;
      if (!type) throw new OAuthError(400, 'invalid_request', 'grant_type is required: refresh_token or authorization_code.');
      if (type !== 'refresh_token' && type !== 'authorization_code') {
        throw new OAuthError(400, 'unsupported_grant_type', `grant_type must be refresh_token or authorization_code, got "${type.slice(0, 40)}".`);
      }
      if (!clientId || !secret) throw new OAuthError(400, 'invalid_request', 'client_id and client_secret are required.');
      const field = type === 'refresh_token' ? 'refresh_token' : 'code';
      const value = form[field];
      if (!value) throw new OAuthError(400, 'invalid_request', `${field} is required for grant_type=${type}.`);
      return { status: 200, body: this.redeem(type === 'refresh_token' ? 'refresh' : 'code', clientId, secret, value) };
    } catch (error) {
      if (error instanceof OAuthError) return { status: error.status, body: error.body };
      throw error;
    }
  }

  /** Forgets every app, grant and route (a server reset). */
  clear() {
    this.secrets.clear();
    this.grants.clear();
  }

  private register(clientId: string, clientSecret: string) {
    if (typeof clientId !== 'string' || clientId === '' || typeof clientSecret !== 'string' || clientSecret === '') {
      throw new TypeError('An app needs a non-empty clientId and clientSecret.');
    }
    const known = this.secrets.get(clientId);
    if (known !== undefined && known !== clientSecret) throw new OAuthError(401, 'invalid_client', 'The client secret does not match the app.');
    if (known === undefined && this.secrets.size >= this.limits.maxApps) {
      throw new RangeError(`This sandbox knows at most ${this.limits.maxApps} apps (limits.maxApps).`);
    }
    this.secrets.set(clientId, clientSecret);
  }

  private redeem(kind: Grant['kind'], clientId: string, clientSecret: string, value: string): TokenPair {
    const secret = this.secrets.get(clientId);
    if (secret === undefined || secret !== clientSecret) {
      throw new OAuthError(401, 'invalid_client', 'Invalid client_id or client_secret, or the app is not installed.');
    }
    const grant = this.grants.get(value);
    if (!grant || grant.kind !== kind || grant.clientId !== clientId || grant.expiresAt <= this.now()) {
      throw new OAuthError(
        400,
        'invalid_grant',
        kind === 'refresh' ? 'The refresh token is invalid, expired or already used.' : 'The code is invalid, expired or already used.',
      );
    }
    // Used once: a second swap of the same value is refused.
    this.grants.delete(value);
    return this.issue(grant.portal, clientId, grant);
  }

  private keep(value: string, grant: Grant) {
    const now = this.now();
    if (this.grants.size >= this.limits.maxGrants) {
      for (const [key, old] of this.grants) if (old.expiresAt <= now) this.grants.delete(key);
    }
    while (this.grants.size >= this.limits.maxGrants) this.grants.delete(this.grants.keys().next().value as string);
    this.grants.set(value, grant);
  }
}
