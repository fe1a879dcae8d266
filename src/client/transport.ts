import { isBitrix24Error, type Bitrix24Error, type Bitrix24ErrorCode } from './errors.js';
import type { Emit } from './hooks.js';
import type { RateLimiter } from './rate-limiter.js';
import { readCappedText } from '../wire/read-body.js';
import { nextHop } from './redirect.js';
import { setLongTimeout } from './sleep.js';

/** Per-call settings the transport reads from the request; absent for raw openapi-fetch calls. */
export interface CallSettings {
  method: string;
  timeoutMs?: number;
}

/**
 * The answer for a {@link PlainRequest}: the fields openapi-fetch and `call()` read, over a body already
 * read as text, which saves building a second `Response` per call.
 */
function plainResponse({ status, ok, headers, type }: Response, text: string): Response {
  return { status, ok, headers, type, text: async () => text } as Response;
}

/** What {@link createTransport} needs from the client. */
export interface TransportOptions {
  fetch: typeof globalThis.fetch;
  limiter?: RateLimiter;
  timeoutMs: number;
  allowInsecureHttp?: boolean;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  emit: Emit;
  /** Builds (does not throw) a {@link Bitrix24Error} with secrets masked. */
  maskedError: (status: number, code: Bitrix24ErrorCode, description: string, method: string, newOrigin?: string) => Bitrix24Error;
  /** The one origin that gets the credentials, and what happens when it moves. */
  portal: PortalOptions;
  /** Largest answer body read, in bytes. */
  maxResponseBytes: number;
}

/** A portal move the client followed, as reported to `onPortalMoved`. */
export interface PortalMove {
  /** The origin calls went to before, e.g. `https://old.bitrix24.com`. */
  from: string;
  /** The origin all later calls go to, e.g. `https://new.bitrix24.com`. */
  to: string;
}

/** Where a client's requests, and with them its credentials, may go. */
export interface PortalOptions {
  /** The configured portal's origin; openapi-fetch builds every URL on it. */
  origin: string;
  /** Follow a redirect to another origin and send this and later calls there. Default `false`. */
  followPortalMoves?: boolean;
  /** Told once per followed move, so the app can store the new address. Exceptions are ignored. */
  onPortalMoved?: (move: PortalMove) => unknown;
}

/**
 * What `call()` hands the transport instead of a WHATWG `Request`: it keeps the serialized body as a
 * string, so the transport can send it, and send it again after a redirect, without constructing and
 * re-reading a `Request` stream, the costliest step of a call in Node's fetch (bench/overhead.mjs).
 * Raw openapi-fetch calls (`rawClient`) still come as real `Request` objects.
 */
export class PlainRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  readonly body: string | null;
  readonly signal: AbortSignal | undefined;

  constructor(
    url: string,
    init: RequestInit,
    readonly settings: Partial<CallSettings> = {},
  ) {
    this.url = url;
    this.method = init.method ?? 'GET';
    this.headers = init.headers instanceof Headers ? init.headers : new Headers(init.headers);
    this.body = typeof init.body === 'string' ? init.body : null;
    this.signal = init.signal ?? undefined;
  }
}

/**
 * The `fetch` handed to openapi-fetch, so every request of a client (method calls, their retries and
 * raw calls) passes the rate limiter, gets a timeout and has redirects re-POSTed. It answers with a
 * fully read Response or throws a {@link Bitrix24Error}.
 */
export function createTransport(options: TransportOptions) {
  const { limiter, emit, maskedError } = options;
  const home = options.portal.origin;
  const policy = { followPortalMoves: options.portal.followPortalMoves, allowInsecureHttp: options.allowInsecureHttp };
  // Where requests go: the configured origin until a followed portal move re-targets the client.
  let portal = home;
  const moveTo = (origin: string) => {
    if (origin === portal) return;
    const move = { from: portal, to: origin };
    portal = origin;
    void Promise.resolve(move)
      .then(options.portal.onPortalMoved)
      .catch(() => {});
  };
  return async (request: Request | PlainRequest): Promise<Response> => {
    const settings = request instanceof PlainRequest ? request.settings : {};
    const method = settings.method ?? new URL(request.url).pathname.split('/').pop()!;
    const signal = request.signal ?? undefined;
    let url = request.url;
    if (url.startsWith(`${home}/`)) url = portal + url.slice(home.length);
    else if (new URL(url).origin !== portal) {
      // A raw call's own baseUrl: the auth in its body (or its headers) would go to that origin.
      throw maskedError(0, 'ORIGIN_REFUSED', 'Not sent: the request is aimed at an origin other than the portal', method);
    }
    let headers = request.headers;
    const body = request instanceof PlainRequest ? request.body : request.body ? await request.text() : null;
    const timeout = new AbortController();
    const timeoutMs = settings.timeoutMs ?? options.timeoutMs;
    try {
      for (let hop = 0; ; hop++) {
        let delayMs = limiter?.take() ?? 0;
        // A shared store answers with a promise; the local limiter stays synchronous (no extra tick per call).
        if (typeof delayMs !== 'number') delayMs = await delayMs;
        if (delayMs) {
          emit('onWait', { method, reason: 'rate-limit', delayMs });
          await options.sleep(delayMs, signal).catch((reason) => {
            limiter!.give();
            throw reason;
          });
        }
        // A timer rather than AbortSignal.timeout(): Node may garbage-collect an unreferenced timeout
        // signal before it fires (and it fires at once past 2^31-1 ms); the timer is cleared as soon as the answer is read.
        const cancelTimer = setLongTimeout(timeoutMs, () => timeout.abort());
        try {
          const response = await options.fetch(url, {
            method: request.method,
            headers,
            body,
            signal: signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal,
            // Bitrix24 answers 302 when a portal moved; following it automatically may turn the POST into
            // a GET without its body (https://apidocs.bitrix24.com/settings/how-to-call-rest-api/change-domen.html), so redirects are repeated here by hand.
            redirect: 'manual',
          });
          const redirect = nextHop(response, url, hop, policy);
          if (redirect) {
            await response.body?.cancel().catch(() => {});
            if (!redirect.follow) throw maskedError(response.status, redirect.code, redirect.description, method, redirect.newOrigin);
            if (redirect.moved) {
              moveTo(new URL(redirect.url).origin);
              // A cookie belongs to the host that set it; the opted-in credentials are the webhook code, `auth` and headers.
              headers = new Headers(headers);
              headers.delete('cookie');
            }
            url = redirect.url;
            continue;
          }
          // Reading the body here puts a stalled body under the same timeout as the headers.
          const text = await readCappedText(
            response.body,
            options.maxResponseBytes,
            response.headers.has('content-length') ? Number(response.headers.get('content-length')) : undefined,
          );
          if (text === undefined) {
            throw maskedError(
              response.status,
              'RESPONSE_TOO_LARGE',
              `The answer is larger than maxResponseBytes (${options.maxResponseBytes} bytes); reading stopped`,
              method,
            );
          }
          return request instanceof PlainRequest ? plainResponse(response, text) : new Response(text || null, response);
        } finally {
          cancelTimer();
        }
      }
    } catch (error) {
      if (isBitrix24Error(error)) throw error;
      // undici hides the useful part (ECONNRESET, …) in `cause`; neither carries the URL.
      const code = signal?.aborted ? 'ABORTED' : timeout.signal.aborted ? 'TIMEOUT' : 'NETWORK_ERROR';
      throw maskedError(
        0,
        code,
        code === 'TIMEOUT' ? `No answer within ${timeoutMs} ms` : String((((error as Error)?.cause as Error) ?? error)?.message),
        method,
      );
    }
  };
}
