import { listMethodNames, type MethodName } from '../../generated/methods.js';
import { resolveEndpoint } from './auth.js';
import { Bitrix24Error, isBitrix24Error, type Bitrix24ErrorCode } from './errors.js';
import { createEmit } from './hooks.js';
import { register } from './internals.js';
import { methodTree, type CallOptions, type MethodAnswer, type MethodParams, type MethodTree } from './method-tree.js';
import { type Bitrix24ClientOptions, checkOptions } from './options.js';
import { createRateLimiter } from './rate-limiter.js';
import { nextAttempt } from './retry.js';
import { isRecord } from '../wire/json-pointer.js';
import { redact } from './secrets.js';
import { sleep as realSleep } from './sleep.js';
import { createTokenRefresher } from './token-refresh.js';
import { createTransport } from './transport.js';

/**
 * The client: every method of the contract under its Bitrix24 name, and `call` for any method by
 * name. The typed batch is `batch(client, …)` and `bulk(client, …)`, the openapi-fetch client
 * `rawClient(client)`: separate imports, so an app ships only what it uses.
 */
export type Bitrix24Client = Omit<MethodTree, 'batch'> & {
  /** Calls a method by its wire name; what every generated method uses. */
  call<M extends MethodName>(method: M, params: MethodParams<M>, options?: CallOptions): Promise<MethodAnswer<M>>;
};

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
  /** Builds (does not throw) the error for a failure, with every secret masked out of its strings. */
  const maskedError = (status: number, code: Bitrix24ErrorCode, description: string, method: string, newOrigin?: string) =>
    new Bitrix24Error({ status, code: mask(code), description: mask(description), method: mask(method), ...(newOrigin && { newOrigin: mask(newOrigin) }) });
  const { now = Date.now, sleep = realSleep, operationTimeLimit: { maxWaitMs = 60_000, failFast = false } = {} } = options;
  checkOptions(options);
  const emit = createEmit(options.hooks, options.logger);
  // A store replaces the in-memory limiter and refresh with ones shared by every process of the portal.
  const shared = options.store?.connect({ endpoint, options });
  const refresh = shared ? shared.refresh : createTokenRefresher(endpoint);
  const limiter = shared ? shared.limiter : options.rateLimit === false ? undefined : createRateLimiter(options.rateLimit ?? 'standard', now);
  // Per method, when (on the local clock) its operating-time budget next drops a minute basket.
  const resets = new Map<string, number>();

  const transport = createTransport(options, { limiter, sleep, emit, maskedError, home: new URL(endpoint.baseUrl).origin });
  // Bitrix24 reads the OAuth token from the body as `auth`; keeping it out of the URL keeps it out of logs.
  // It is read at each attempt, so a repeat after a refresh sends the new token.
  const serialize = (body: unknown) => JSON.stringify(endpoint.accessToken && isRecord(body) ? { ...body, auth: endpoint.accessToken } : body);
  const headers = new Headers({ 'Content-Type': 'application/json' });

  /** One attempt: sends the call and reads its answer; resolves with the result or the failure as a Bitrix24Error. */
  async function send(method: MethodName, params: unknown, signal?: AbortSignal, timeoutMs?: number) {
    try {
      const [response, text] = await transport.send(`${endpoint.baseUrl}/${method}`, { method, headers, body: serialize(params), signal, timeoutMs });
      const { status } = response;
      let payload: unknown;
      try {
        payload = JSON.parse(text);
      } catch {} // not JSON: INVALID_RESPONSE below
      const time = isRecord(payload) && isRecord(payload.time) ? payload.time : {};
      // Relative to the server's own `finish` in the same answer, so a skewed local clock does not matter.
      const serverNow = (time.finish as number) ?? now() / 1000;
      if (time.operating_reset_at) resets.set(method, now() + ((time.operating_reset_at as number) - serverNow) * 1000);
      if (response.ok && isRecord(payload) && 'result' in payload) {
        // A list method's page keeps the `total` and `next` that sit beside `result` in the envelope.
        const { result, total, next } = payload;
        return { status, result: (listMethodNames as readonly string[]).includes(method) ? { result, total, next } : result };
      }
      return {
        status,
        error:
          isRecord(payload) && typeof payload.error === 'string'
            ? maskedError(status, payload.error, String(payload.error_description ?? ''), method)
            : maskedError(
                status,
                'INVALID_RESPONSE',
                `The answer is not a Bitrix24 JSON envelope (HTTP ${status}, ${response.headers.get('content-type')})`,
                method,
              ),
      };
    } catch (thrown) {
      // The transport turns every failure of a request it sent into a Bitrix24Error; anything else
      // failed while the request was being built (JSON.stringify of a BigInt or a circular object).
      if (!isBitrix24Error(thrown))
        throw maskedError(0, 'INVALID_PARAMS', `Not sent: the parameters cannot be encoded as JSON (${(thrown as Error)?.message ?? String(thrown)})`, method);
      return { status: thrown.status, error: thrown };
    }
  }

  async function call(method: MethodName, params: unknown, callOptions: CallOptions = {}): Promise<unknown> {
    const { signal, timeoutMs } = callOptions;
    const retry = callOptions.retry ?? options.retry;
    checkOptions(callOptions);
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      const started = now();
      const usedToken = endpoint.accessToken;
      const answer = await send(method, params, signal, timeoutMs);
      const { error, status } = answer;
      emit?.('onAttempt', { method, attempt, status, ...(error && { code: error.code }), durationMs: now() - started });
      if (!error) return answer.result;
      const event = { method, attempt, status, code: error.code };

      const step = nextAttempt(error, attempt, {
        retry,
        canRefresh: !!refresh && !refreshed,
        resetInMs: (resets.get(method) ?? 0) - now(),
        maxWaitMs,
        failFast,
      });
      if (step.kind === 'throw') throw error;
      if (step.kind === 'refresh') {
        refreshed = true;
        try {
          await refresh!(usedToken);
        } catch {
          throw maskedError(401, 'TOKEN_REFRESH_FAILED', 'Refreshing the access token failed', method);
        }
        emit?.('onRetry', { ...event, delayMs: 0 });
        continue;
      }
      if (error.code === 'QUERY_LIMIT_EXCEEDED') limiter?.fill();
      emit?.('onRetry', { ...event, delayMs: step.ms });
      if (!step.ms) continue;
      emit?.('onWait', { method, reason: step.reason, delayMs: step.ms });
      await sleep(step.ms, signal).catch(() => {
        throw maskedError(0, 'ABORTED', 'The call was aborted', method);
      });
    }
  }

  // The typed batch replaces the generated `batch(params)` (the type leaves it out); its requests still go through `call`.
  const client = methodTree<Bitrix24Client>((method) => (params?: unknown, options?: CallOptions) => call(method, params ?? {}, options), { call });
  register(client, { call, mask, baseUrl: endpoint.baseUrl, transport, serialize });
  return client;
}
