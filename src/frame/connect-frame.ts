// The app side of the portal's frame protocol, for apps that live inside Bitrix24 (a lead card tab,
// a menu item, the app's own page): the parent names the frame `{host[:port]}|{0|1}|{APP_SID}`,
// answers `command:params:callback:APP_SID` messages with `callback:JSON`, and hands out the
// frame's OAuth token. REST calls go straight to the portal (the same origin as the parent).
import type { OAuthConnection, OAuthTokens } from '../client/auth.js';

/** What the parent's getInitData answers (field names as the portal sends them). */
interface InitData {
  LANG?: string;
  DOMAIN?: string;
  PROTOCOL?: number | string;
  AUTH_ID?: string;
  AUTH_EXPIRES?: string | number;
  REFRESH_ID?: string;
  MEMBER_ID?: string;
  FIRST_RUN?: boolean;
  IS_ADMIN?: boolean;
  INSTALL?: boolean;
  USER_OPTIONS?: Record<string, unknown> | [];
  APP_OPTIONS?: Record<string, unknown> | [];
  PLACEMENT?: string;
  PLACEMENT_OPTIONS?: Record<string, unknown> | '';
}

export interface ConnectFrameOptions {
  /** Longest wait for the parent's init data, in ms. Default 10000. */
  timeoutMs?: number;
  /** Longest wait for a new token (refreshAuth), in ms; then the call fails with `TOKEN_REFRESH_FAILED`. Default 10000. */
  refreshTimeoutMs?: number;
}

/** A frame connected to its portal. */
export interface FrameConnection {
  /** Pass to `createBitrix24Client`: the portal, the frame's token, and a refresh that asks the parent. */
  connection: OAuthConnection;
  /** Where the app is shown (`DEFAULT`, `CRM_LEAD_DETAIL_TAB`, …) and what the portal passed with it (`{ ID: '12' }` on a card tab). */
  placement: { name: string; options: Record<string, unknown> };
  /** The portal's interface language, e.g. `en`. */
  lang: string;
  /** The portal's host, with the port when not the default one. */
  domain: string;
  memberId: string;
  isAdmin: boolean;
  /** The user opens the app for the first time (the official SDK then sends `setInstall`). */
  firstRun: boolean;
  /** The app is being installed: call `send('setInstallFinish')` when its setup is done. */
  install: boolean;
  userOptions: Record<string, unknown>;
  appOptions: Record<string, unknown>;
  /**
   * Sends any other command of the protocol (`resizeWindow`, `setTitle`, `reloadData`, …) and
   * resolves with the parent's answer; commands the portal never answers resolve `undefined` after
   * `timeoutMs` (default 900, as the official SDK waits).
   */
  send(command: string, params?: unknown, timeoutMs?: number): Promise<unknown>;
  /** Stops listening to the parent; answers still on their way are no longer read. */
  close(): void;
}

const FRAME_NAME = /^([^|/\s]+)\|([01])\|([0-9A-Za-z]+)$/;

/**
 * Connects an app that runs inside a Bitrix24 frame: reads `window.name`, asks the parent for the
 * init data and resolves with a connection for `createBitrix24Client`. Rejects outside a frame, and
 * when the parent does not answer within `timeoutMs`. It can run beside the official SDK in the same frame.
 *
 * @example
 * const frame = await connectFrame();
 * const client = createBitrix24Client(frame.connection);
 * const lead = await client.crm.lead.get({ id: Number(frame.placement.options.ID) });
 */
export async function connectFrame({ timeoutMs = 10_000, refreshTimeoutMs = 10_000 }: ConnectFrameOptions = {}): Promise<FrameConnection> {
  const parent = window.parent;
  const name = FRAME_NAME.exec(window.name);
  if (parent === window || !name) {
    throw new TypeError(
      `connectFrame: this page is not inside a Bitrix24 app frame (${parent === window ? 'it has no parent window' : 'window.name is not {host}|{0|1}|{APP_SID}'}); open it from the portal, or locally through the sandbox's frame host (docs/frame.md).`,
    );
  }
  const [, domain, secure, appSid] = name as unknown as [string, string, string, string];
  const origin = `${secure === '1' ? 'https' : 'http'}://${domain}`;
  const pending = new Map<string, (value: unknown) => void>();
  let next = 0;
  // Answers come only from the parent window at the portal's origin; other windows and origins are ignored.
  const listener = (event: MessageEvent) => {
    if (event.origin !== origin || event.source !== parent || typeof event.data !== 'string') return;
    const colon = event.data.indexOf(':');
    const id = colon < 0 ? event.data : event.data.slice(0, colon);
    const resolve = pending.get(id);
    if (!resolve) return; // Another library's answer (the official SDK's ids are its own).
    pending.delete(id);
    let value: unknown;
    try {
      value = colon < 0 || colon === event.data.length - 1 ? undefined : JSON.parse(event.data.slice(colon + 1));
    } catch {
      value = undefined;
    }
    resolve(value);
  };
  window.addEventListener('message', listener);

  /** Sends a command; resolves with the answer, or with `onTimeout()` after `ms`. */
  const ask = (command: string, params: unknown, ms: number, onTimeout: () => unknown) =>
    new Promise<unknown>((resolve, reject) => {
      const id = `b24lc${appSid.slice(0, 6)}${++next}${Math.random().toString(36).slice(2, 8)}`;
      const timer = setTimeout(() => {
        pending.delete(id);
        try {
          resolve(onTimeout());
        } catch (error) {
          reject(error);
        }
      }, ms);
      pending.set(id, (value) => {
        clearTimeout(timer);
        resolve(value);
      });
      const json = params === undefined ? '' : JSON.stringify(params);
      parent.postMessage(`${command}:${json}:${id}:${appSid}`, origin);
    });
  const fail = (what: string, ms: number) => () => {
    throw new Error(`connectFrame: the parent window did not answer ${what} within ${ms} ms.`);
  };

  let init: InitData;
  try {
    init = (await ask('getInitData', undefined, timeoutMs, fail('getInitData', timeoutMs))) as InitData;
  } catch (error) {
    window.removeEventListener('message', listener);
    throw error;
  }
  const record = (value: unknown) => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

  let refreshing: Promise<OAuthTokens> | undefined;
  const connection: OAuthConnection = {
    portal: origin,
    accessToken: String(init.AUTH_ID ?? ''),
    refreshToken: String(init.REFRESH_ID ?? ''),
    allowInsecureHttp: secure === '0',
    // One refreshAuth for every client and call that finds the token expired at once; a client still
    // holding a refresh token older than the current one gets the current pair without a new round.
    onTokenExpired: ({ refreshToken }) =>
      refreshToken && refreshToken !== connection.refreshToken
        ? Promise.resolve({ accessToken: connection.accessToken, refreshToken: connection.refreshToken as string })
        : (refreshing ??= (async () => {
            try {
              const tokens = record(await ask('refreshAuth', undefined, refreshTimeoutMs, fail('refreshAuth', refreshTimeoutMs)));
              if (typeof tokens.AUTH_ID !== 'string' || tokens.AUTH_ID === '') throw new Error('connectFrame: refreshAuth answered no AUTH_ID.');
              connection.accessToken = tokens.AUTH_ID;
              connection.refreshToken = String(tokens.REFRESH_ID ?? '');
              return { accessToken: connection.accessToken, refreshToken: connection.refreshToken };
            } finally {
              refreshing = undefined;
            }
          })()),
  };

  return {
    connection,
    placement: { name: init.PLACEMENT ?? 'DEFAULT', options: record(init.PLACEMENT_OPTIONS) },
    lang: init.LANG ?? 'en',
    domain,
    memberId: init.MEMBER_ID ?? '',
    isAdmin: init.IS_ADMIN === true,
    firstRun: init.FIRST_RUN === true,
    install: init.INSTALL === true,
    userOptions: record(init.USER_OPTIONS),
    appOptions: record(init.APP_OPTIONS),
    send: (command, params, ms = 900) => ask(command, params, ms, () => undefined),
    close: () => {
      window.removeEventListener('message', listener);
      pending.clear();
    },
  };
}
