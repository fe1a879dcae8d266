import createClient, { type Client } from 'openapi-fetch';
import type { paths } from '../generated/schema.js';
import { listMethodNames, methodNames, type MethodName } from '../generated/methods.js';
import { resolveEndpoint, type Connection } from './auth.js';
import { createBatchMethods, type BatchMethods } from './batch.js';
import { checkNumber } from './check-option.js';
import { Bitrix24Error, isBitrix24Error, type Bitrix24ErrorCode } from './errors.js';
import { createEmit, type Hooks, type Logger, type WaitEvent } from './hooks.js';
import { buildTree, type CallOptions, type MethodAnswer, type MethodParams, type MethodTree } from './method-tree.js';
import { createRateLimiter, type RateLimit } from './rate-limiter.js';
import { backoffDelay, type RetryOptions } from './retry.js';
import { redact } from './secrets.js';
import { sleep as realSleep } from './sleep.js';
import type { Bitrix24Store } from './store.js';
import { createTokenRefresher } from './token-refresh.js';
import { CALL_SETTINGS, createTransport, PlainRequest } from './transport.js';

/** Options of {@link createBitrix24Client}: a connection plus transport, limit and retry settings. */
export type Bitrix24ClientOptions = Connection & {
  /** The `fetch` to use; defaults to the global one. Handy for tests and custom agents. */
  fetch?: typeof globalThis.fetch;
  /**
   * Client-side leaky bucket shared by every request of this client: a plan preset (`'standard'`:
   * 2 req/s drain, threshold 50; `'enterprise'`: 5 req/s, 250), custom numbers, or `false`.
   * The bucket counts as full 10% (at least 2) below the threshold. Default `'standard'`.
   */
  rateLimit?: RateLimit;
  /**
   * Repeats of 503 `QUERY_LIMIT_EXCEEDED`, 5xx, network errors and timeouts with exponential backoff
   * and jitter; `false` turns them off. Default `{ attempts: 5, baseDelayMs: 1000, maxDelayMs: 30000 }`.
   */
  retry?: false | RetryOptions;
  /**
   * 429 `OPERATION_TIME_LIMIT`: wait until the method's `operating_reset_at` if that is at most
   * `maxWaitMs` away (default 60000), else fail; `failFast: true` always fails at once.
   */
  operationTimeLimit?: { maxWaitMs?: number; failFast?: boolean };
  /** Longest wait for one HTTP answer (per attempt and redirect hop). Default 65000 ms. */
  timeoutMs?: number;
  /**
   * Largest answer body the client reads, in bytes (counted as it arrives, after decompression); a
   * larger one fails with `RESPONSE_TOO_LARGE` and its connection is closed. Default 8 MiB: answers of
   * this contract are a few KB, and a `batch` of 50 `items.get` of leads with 2,000 links each is about 6 MB.
   */
  maxResponseBytes?: number;
  /** Callbacks for each attempt, retry and wait. */
  hooks?: Hooks;
  /** Receives the client's debug lines; the client logs nothing without one. */
  logger?: Logger;
  /** Millisecond clock for the rate limiter and waits; for tests. Default `Date.now`. */
  now?: () => number;
  /** Sleep used for every wait; must reject when `signal` aborts. For tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * Where the rate-limit bucket and the OAuth tokens live when several processes call one portal,
   * e.g. `createRedisStore(redis)` from `b24-lead-contact/redis`. Default: in this client's memory.
   */
  store?: Bitrix24Store;
};

/**
 * The client: every method of the contract under its Bitrix24 name, the typed `batch` and `bulk`
 * (in place of the contract's raw `batch`), plus the raw openapi-fetch client.
 */
export type Bitrix24Client = Omit<MethodTree, 'batch'> &
  BatchMethods & {
    /**
     * The underlying openapi-fetch client, for `{ data, error, response }` style calls:
     * `await client.raw.POST('/crm.lead.contact.add', { body })`. Auth, the rate limiter, timeouts and
     * redirects apply; retries and token refresh do not.
     */
    readonly raw: Client<paths>;
    /** Calls a method by its wire name; what every generated method uses. */
    call<M extends MethodName>(method: M, params: MethodParams<M>, options?: CallOptions): Promise<MethodAnswer<M>>;
  };

/** The default `maxResponseBytes`: 8 MiB (see the option's documentation for the reasoning). */
const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

const LIST_METHODS: ReadonlySet<string> = new Set(listMethodNames);

const INVALID_RESPONSE = 'The answer is not a Bitrix24 JSON envelope';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(text: unknown): unknown {
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Refuses timing and size options that would make waits (or reads) endless or zero, naming the option. */
function checkOptions({
  timeoutMs,
  retry,
  operationTimeLimit,
  maxResponseBytes,
}: Pick<Bitrix24ClientOptions, 'timeoutMs' | 'retry' | 'operationTimeLimit' | 'maxResponseBytes'>) {
  checkNumber('timeoutMs', timeoutMs, 'positive');
  checkNumber('maxResponseBytes', maxResponseBytes, 'integer ≥ 1');
  checkNumber('retry.attempts', retry ? retry.attempts : undefined, 'integer ≥ 1');
  checkNumber('retry.baseDelayMs', retry ? retry.baseDelayMs : undefined, 'non-negative');
  checkNumber('retry.maxDelayMs', retry ? retry.maxDelayMs : undefined, 'non-negative');
  checkNumber('operationTimeLimit.maxWaitMs', operationTimeLimit?.maxWaitMs, 'non-negative');
}

/**
 * Creates a typed client for the Bitrix24 `crm.lead.contact.*` methods.
 *
 * @example
 * const client = createBitrix24Client({ webhookUrl: process.env.B24_WEBHOOK_URL! });
 * const linked = await client.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1010, IS_PRIMARY: 'Y' } });
 *
 * @example
 * const client = createBitrix24Client({
 *   portal: 'example.bitrix24.com', accessToken, refreshToken, rateLimit: 'enterprise',
 *   onTokenExpired: ({ refreshToken }) => myServer.refresh(refreshToken),
 *   onTokensRefreshed: (tokens) => store.save(tokens),
 * });
 */
export function createBitrix24Client(options: Bitrix24ClientOptions): Bitrix24Client {
  const endpoint = resolveEndpoint(options);
  const mask = (text: string) => redact(text, endpoint.secrets);
  const fail = (status: number, code: Bitrix24ErrorCode, description: string, method: string, newOrigin?: string) =>
    new Bitrix24Error({ status, code: mask(code), description: mask(description), method: mask(method), ...(newOrigin && { newOrigin: mask(newOrigin) }) });
  const { now = Date.now, sleep = realSleep, operationTimeLimit: { maxWaitMs = 60_000, failFast = false } = {} } = options;
  checkOptions(options);
  const emit = createEmit(options.hooks, options.logger);
  // A store replaces the in-memory limiter and refresh with ones shared by every process of the portal.
  const shared = options.store?.connect({ endpoint, options });
  const refresh = shared ? shared.refresh : createTokenRefresher(endpoint, options as never);
  const limiter = shared ? shared.limiter : options.rateLimit === false ? undefined : createRateLimiter(options.rateLimit ?? 'standard', now);
  // Per method, when (on the local clock) its operating-time budget next drops a minute basket.
  const resets = new Map<string, number>();

  const raw = createClient<paths>({
    baseUrl: endpoint.baseUrl,
    fetch: createTransport({
      fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
      limiter,
      timeoutMs: options.timeoutMs ?? 65_000,
      allowInsecureHttp: options.allowInsecureHttp,
      sleep,
      emit,
      fail,
      portal: { origin: new URL(endpoint.baseUrl).origin, followPortalMoves: options.followPortalMoves, onPortalMoved: options.onPortalMoved },
      maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    }),
    // Bitrix24 reads the OAuth token from the body as `auth`; keeping it out of the URL keeps it out of logs.
    // It is read at each attempt, so a repeat after a refresh sends the new token.
    bodySerializer: (body: unknown) => JSON.stringify(endpoint.accessToken && isRecord(body) ? { ...body, auth: endpoint.accessToken } : body),
  });

  async function call(method: MethodName, params: unknown, callOptions: CallOptions = {}): Promise<unknown> {
    const { signal, timeoutMs } = callOptions;
    const retry = callOptions.retry ?? options.retry;
    checkOptions(callOptions);
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      const started = now();
      const usedToken = endpoint.accessToken;
      let error: Bitrix24Error;
      try {
        const {
          data,
          error: body,
          response,
        } = await raw.POST(`/${method}`, {
          body: params,
          parseAs: 'text',
          signal,
          Request: PlainRequest,
          [CALL_SETTINGS]: { method, timeoutMs },
        } as never);
        const { status } = response;
        const payload = parseJson(response.ok ? data : body);
        const time = isRecord(payload) && isRecord(payload.time) ? payload.time : {};
        // Relative to the server's own `finish` in the same answer, so a skewed local clock does not matter.
        const serverNow = (time.finish as number) ?? now() / 1000;
        if (time.operating_reset_at) resets.set(method, now() + ((time.operating_reset_at as number) - serverNow) * 1000);
        if (response.ok && isRecord(payload) && 'result' in payload) {
          emit('onAttempt', { method, attempt, status, durationMs: now() - started });
          // A list method's page keeps the `total` and `next` that sit beside `result` in the envelope.
          return LIST_METHODS.has(method) ? { result: payload.result, total: payload.total, next: payload.next } : payload.result;
        }
        error =
          isRecord(payload) && typeof payload.error === 'string'
            ? fail(status, payload.error, String(payload.error_description ?? ''), method)
            : fail(status, 'INVALID_RESPONSE', `${INVALID_RESPONSE} (HTTP ${status}, ${response.headers.get('content-type')})`, method);
      } catch (thrown) {
        // The transport turns every failure of a request it sent into a Bitrix24Error; anything else
        // failed while the request was being built (JSON.stringify of a BigInt or a circular object).
        if (!isBitrix24Error(thrown))
          throw fail(0, 'INVALID_PARAMS', `Not sent: the parameters cannot be encoded as JSON (${(thrown as Error)?.message ?? String(thrown)})`, method);
        error = thrown;
      }
      const event = { method, attempt, status: error.status, code: error.code };
      const { code } = event;
      emit('onAttempt', { ...event, durationMs: now() - started });
      let delayMs = 0;
      let reason: WaitEvent['reason'] = 'retry';
      if (code === 'expired_token' && refresh && !refreshed) {
        refreshed = true;
        try {
          await refresh(usedToken);
        } catch {
          throw fail(401, 'TOKEN_REFRESH_FAILED', 'Refreshing the access token failed', method);
        }
      } else {
        if (!error.retryable || code === 'expired_token' || attempt >= (retry === false ? 1 : (retry?.attempts ?? 5))) throw error;
        const reset = resets.get(method) ?? 0;
        if (code === 'OPERATION_TIME_LIMIT' && (failFast || reset - now() > maxWaitMs)) throw error;
        if (code === 'OPERATION_TIME_LIMIT' && reset > now()) {
          // One second more, since Bitrix24 gives the reset time in whole seconds.
          delayMs = reset - now() + 1000;
          reason = 'operation-time-limit';
        } else {
          if (code === 'QUERY_LIMIT_EXCEEDED') limiter?.fill();
          delayMs = backoffDelay(attempt, retry || {});
        }
      }
      emit('onRetry', { ...event, delayMs });
      if (delayMs) {
        emit('onWait', { method, reason, delayMs });
        await sleep(delayMs, signal).catch(() => {
          throw fail(0, 'ABORTED', 'The call was aborted', method);
        });
      }
    }
  }

  const tree = buildTree<MethodTree>(methodNames, (method) => (params?: unknown, options?: CallOptions) => call(method, params ?? {}, options));
  // The typed batch replaces the generated `batch(params)`; its requests still go through `call`.
  return Object.assign(tree, { raw, call }, createBatchMethods(call, mask)) as unknown as Bitrix24Client;
}
