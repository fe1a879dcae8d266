import type { components } from '../../generated/schema.js';

/** Error codes the contract documents for Bitrix24 answers (the empty string included). */
export type KnownErrorCode = components['schemas']['KnownErrorCode'];

/** Codes this client uses for failures that never reached a Bitrix24 error body. */
export type ClientErrorCode =
  /** The connection failed or was reset before an answer arrived. */
  | 'NETWORK_ERROR'
  /** No answer within the call's timeout. */
  | 'TIMEOUT'
  /** The caller aborted the call through its `AbortSignal`. */
  | 'ABORTED'
  /** The server answered with something that is not a Bitrix24 JSON envelope (an HTML proxy page, an empty body). */
  | 'INVALID_RESPONSE'
  /**
   * A redirect was not followed: from an `https://` portal to a plain `http://` (or other) address,
   * too many hops, or hidden by a browser. Nothing was sent to the redirect's address.
   */
  | 'REDIRECT_REFUSED'
  /**
   * The portal redirected to another origin, which is how Bitrix24 answers at an old address after a
   * portal's domain changed. Nothing was sent there; `newOrigin` holds the origin to store (or pass
   * `followPortalMoves: true` to follow such moves).
   */
  | 'PORTAL_MOVED'
  /** The portal's redirect named an address that is not a valid URL. Nothing more was sent. */
  | 'INVALID_REDIRECT'
  /** The parameters cannot be encoded (a circular structure, a `BigInt`, broken Unicode, …). Nothing was sent. */
  | 'INVALID_PARAMS'
  /** A raw call aimed at an origin other than the portal's (a per-request `baseUrl`). Nothing was sent. */
  | 'ORIGIN_REFUSED'
  /** The answer was larger than `maxResponseBytes`; the client stopped reading it and closed the request. */
  | 'RESPONSE_TOO_LARGE'
  /** The access token expired and `onTokenExpired` failed or returned no token. */
  | 'TOKEN_REFRESH_FAILED';

/**
 * The `code` of a {@link Bitrix24Error}: a documented Bitrix24 code, a client-side code, or any other
 * string Bitrix24 may add later (kept as-is, never rejected).
 */
export type Bitrix24ErrorCode = KnownErrorCode | ClientErrorCode | (string & {});

/** What a {@link Bitrix24Error} is built from. Secrets must already be removed from every string. */
export interface Bitrix24ErrorInit {
  /** HTTP status of the answer; 0 when none arrived. */
  status: number;
  code: Bitrix24ErrorCode;
  description: string;
  /** The Bitrix24 method, e.g. `crm.lead.contact.add`. */
  method: string;
  /** Whether repeating the same call later can succeed. Defaults to a rule based on `code` and `status`. */
  retryable?: boolean;
  /** With `PORTAL_MOVED`: the origin the portal redirected to (`https://new.bitrix24.com`), never a path. */
  newOrigin?: string;
}

const RETRYABLE_CODES = [
  'QUERY_LIMIT_EXCEEDED',
  'OPERATION_TIME_LIMIT',
  'INTERNAL_SERVER_ERROR',
  'ERROR_UNEXPECTED_ANSWER',
  'expired_token',
  'NETWORK_ERROR',
  'TIMEOUT',
];
const NEVER_RETRYABLE_CODES = [
  'OVERLOAD_LIMIT',
  'PORTAL_DELETED',
  'ABORTED',
  'REDIRECT_REFUSED',
  'PORTAL_MOVED',
  'INVALID_REDIRECT',
  'INVALID_PARAMS',
  'ORIGIN_REFUSED',
  'RESPONSE_TOO_LARGE',
];

/** Whether a failure with this code and HTTP status may succeed when the same call is repeated later. */
export function isRetryableFailure(code: string, status: number): boolean {
  if (RETRYABLE_CODES.includes(code)) return true;
  if (NEVER_RETRYABLE_CODES.includes(code)) return false;
  // Gateways in front of a portal answer 5xx pages without a Bitrix24 body; those are transient too.
  return [500, 502, 503, 504].includes(status);
}

/**
 * The one error every failed call throws: a Bitrix24 error answer, a transport failure, a timeout,
 * an abort, or an answer that is not a Bitrix24 envelope.
 *
 * It carries no request, response, URL or credentials, so logging or serialising it cannot leak the
 * webhook code or an access token.
 *
 * @example
 * try {
 *   await client.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1010 } });
 * } catch (error) {
 *   if (isBitrix24Error(error) && error.code === 'NOT_FOUND') console.warn(error.description);
 * }
 */
export class Bitrix24Error extends Error {
  override readonly name = 'Bitrix24Error';
  /** HTTP status of the answer; 0 when none arrived (network failure, timeout, abort). */
  declare readonly status: number;
  /** Bitrix24's `error` code (may be `''`) or a {@link ClientErrorCode}. */
  declare readonly code: Bitrix24ErrorCode;
  /** Bitrix24's `error_description`, or the client's explanation. */
  declare readonly description: string;
  /** The Bitrix24 method that failed. */
  declare readonly method: string;
  /** Whether repeating the same call later can succeed. */
  declare readonly retryable: boolean;
  /** With `PORTAL_MOVED`: the origin the portal redirected to, for the app to store. */
  declare readonly newOrigin?: string;

  constructor(init: Bitrix24ErrorInit) {
    const shownCode = init.code || '(empty code)';
    super(`${init.method} failed with ${init.status || 'no'} HTTP status, ${shownCode}: ${init.description}`);
    this.status = init.status;
    this.code = init.code;
    this.description = init.description;
    this.method = init.method;
    this.retryable = init.retryable ?? isRetryableFailure(init.code, init.status);
    if (init.newOrigin !== undefined) this.newOrigin = init.newOrigin;
  }

  /** A plain object with the error's fields, so `JSON.stringify(error)` shows them. */
  toJSON(): Bitrix24ErrorInit & { name: string; message: string } {
    // `message` is not enumerable; the own fields follow in the constructor's order, `newOrigin` only when set.
    return Object.assign({ name: this.name, message: this.message }, this);
  }
}

/** Type guard for {@link Bitrix24Error}, also across copies of this package. */
export function isBitrix24Error(value: unknown): value is Bitrix24Error {
  return value instanceof Bitrix24Error || (value instanceof Error && value.name === 'Bitrix24Error');
}
