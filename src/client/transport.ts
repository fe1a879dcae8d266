import { isBitrix24Error, type Bitrix24Error, type Bitrix24ErrorCode } from './errors.js';
import type { Emit } from './hooks.js';
import { type Bitrix24ClientOptions, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT_MS } from './options.js';
import type { RateLimiter } from './rate-limiter.js';
import { readCappedStream } from '../wire/read-body.js';
import { nextHop } from './redirect.js';
import { setLongTimeout } from './sleep.js';

/**
 * One request as the transport sends it: `call()` builds it from the method and its serialized
 * parameters, `rawClient` from openapi-fetch's `Request`. The body stays a string, so it can be sent,
 * and sent again after a redirect, without building and re-reading a `Request` stream, the costliest
 * step of a call in Node's fetch (bench/overhead.mjs).
 */
export interface Outgoing {
  /** The Bitrix24 method, for errors and hooks. */
  method: string;
  /** The HTTP method; default `POST`. */
  verb?: string;
  headers: Headers;
  body: string | null;
  signal?: AbortSignal;
  /** This call's `timeoutMs`, when it overrides the client's. */
  timeoutMs?: number;
}

/** A client's transport (see {@link createTransport}). */
export interface Transport {
  /** Sends `request` to `url` on the portal and answers with the response and its body, read in full. */
  send(url: string, request: Outgoing): Promise<[Response, string]>;
  /** The origin requests go to now: the configured one until a followed portal move. */
  portal(): string;
}

/** What {@link createTransport} gets from the client beyond its options. */
export interface TransportParts {
  limiter?: RateLimiter;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Absent when the client has no hooks and no logger. */
  emit?: Emit;
  /** Builds (does not throw) a {@link Bitrix24Error} with secrets masked. */
  maskedError: (status: number, code: Bitrix24ErrorCode, description: string, method: string, newOrigin?: string) => Bitrix24Error;
  /** The configured portal's origin, the one that gets the credentials; every call's URL is built on it. */
  home: string;
}

/**
 * The one way out of a client: every request (method calls, their retries and raw calls) passes the
 * rate limiter, gets a timeout and has redirects re-POSTed. It answers with the response and its body,
 * read in full under the byte cap, or throws a {@link Bitrix24Error}.
 */
export function createTransport(options: Bitrix24ClientOptions, { limiter, sleep, emit, maskedError, home }: TransportParts): Transport {
  const { maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES } = options;
  // Where requests go: the configured origin until a followed portal move re-targets the client.
  let portal = home;
  const moveTo = (origin: string) => {
    if (origin === portal) return;
    const move = { from: portal, to: origin };
    portal = origin;
    void Promise.resolve(move)
      .then(options.onPortalMoved)
      .catch(() => {});
  };
  // Node's fetch makes each request follow its abort signal through a WeakRef, a finalizer and a
  // listener: about 20 µs a request, the largest part of what a call costs beyond a bare fetch
  // (docs/performance.md). So a request carries a signal only when it can need one: the caller gave a
  // signal, or a request of this client has timed out before. Until then a timeout fails the call on
  // time and leaves the request: a body being read is cancelled, a late answer's body too, and a
  // portal that never answers holds only the requests in flight at that first timeout.
  let abortable = false;
  const send: Transport['send'] = async (url, request) => {
    const { method, signal } = request;
    // Only raw calls (`rawClient`, which checks the origin first) may already aim at a moved portal.
    if (url.startsWith(`${home}/`)) url = portal + url.slice(home.length);
    let headers = request.headers;
    const { body } = request;
    const timeout = signal || abortable ? new AbortController() : undefined;
    const timeoutMs = request.timeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let timedOut = false;
    try {
      for (let hop = 0; ; hop++) {
        // A timeout that fired while a redirect's answer was being cancelled ends the call here.
        if (timedOut) throw 0; // the catch below makes it TIMEOUT
        let delayMs = limiter?.take() ?? 0;
        // A shared store answers with a promise; the local limiter stays synchronous (no extra tick per call).
        if (typeof delayMs !== 'number') delayMs = await delayMs;
        if (delayMs) {
          emit?.('onWait', { method, reason: 'rate-limit', delayMs });
          await sleep(delayMs, signal).catch((reason) => {
            limiter!.give();
            throw reason;
          });
        }
        // What a timeout does besides failing the call: stop waiting for the answer, or cancel the read of its body.
        let stop: (() => unknown) | undefined;
        // A timer rather than AbortSignal.timeout(): Node may garbage-collect an unreferenced timeout
        // signal before it fires (and it fires at once past 2^31-1 ms); the timer is cleared as soon as the answer is read.
        const cancelTimer = setLongTimeout(timeoutMs, () => {
          timedOut = abortable = true;
          timeout?.abort();
          stop?.();
        });
        try {
          // The global fetch as it is now, so a mock installed after the client was made (MSW's listen()) sees the call.
          const pending = (options.fetch ?? fetch)(url, {
            method: request.verb ?? 'POST',
            headers,
            body,
            signal: signal ? AbortSignal.any([signal, timeout!.signal]) : timeout?.signal,
            // Bitrix24 answers 302 when a portal moved; following it automatically may turn the POST into
            // a GET without its body (https://apidocs.bitrix24.com/settings/how-to-call-rest-api/change-domen.html), so redirects are repeated here by hand.
            redirect: 'manual',
          });
          // An answer that comes after the timeout has its body cancelled, which frees its connection.
          const response = await new Promise<Response>((resolve, reject) => {
            pending.then((answer) => (timedOut ? answer.body?.cancel().catch(() => {}) : resolve(answer)), reject);
            stop = reject;
          });
          const redirect = nextHop(response, url, hop, options);
          if (redirect) {
            await response.body?.cancel().catch(() => {});
            if ('code' in redirect) throw maskedError(response.status, redirect.code, redirect.description, method, redirect.newOrigin);
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
          const text = await readCappedStream(
            response.body,
            maxResponseBytes,
            // One header lookup: no Content-Length reads as 0, which no cap refuses.
            Number(response.headers.get('content-length')),
            (cancel) => (stop = cancel),
          );
          // A timeout cancels the reader, which ends the read as if the body were complete.
          if (timedOut) throw 0; // the catch below makes it TIMEOUT
          if (text === undefined) {
            throw maskedError(
              response.status,
              'RESPONSE_TOO_LARGE',
              `The answer is larger than maxResponseBytes (${maxResponseBytes} bytes); reading stopped`,
              method,
            );
          }
          return [response, text];
        } finally {
          cancelTimer();
        }
      }
    } catch (error) {
      if (isBitrix24Error(error)) throw error;
      // undici hides the useful part (ECONNRESET, …) in `cause`; neither carries the URL.
      const code = signal?.aborted ? 'ABORTED' : timedOut ? 'TIMEOUT' : 'NETWORK_ERROR';
      throw maskedError(
        0,
        code,
        code === 'TIMEOUT' ? `No answer within ${timeoutMs} ms` : String((((error as Error)?.cause as Error) ?? error)?.message),
        method,
      );
    }
  };
  return { send, portal: () => portal };
}
