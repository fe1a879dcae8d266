import createClient, { type Client } from 'openapi-fetch';
import type { paths } from '../generated/schema.js';
import { methodNames, type MethodName } from '../generated/methods.js';
import { resolveEndpoint, type Connection } from './auth.js';
import { Bitrix24Error } from './errors.js';
import { buildMethodTree, type CallOptions, type MethodTree } from './method-tree.js';
import { redact } from './secrets.js';

/** Options of {@link createBitrix24Client}: a connection plus transport settings. */
export type Bitrix24ClientOptions = Connection & {
  /** The `fetch` to use; defaults to the global one. Handy for tests and custom agents. */
  fetch?: typeof globalThis.fetch;
};

/** The client: every method of the contract under its Bitrix24 name, plus the raw openapi-fetch client. */
export type Bitrix24Client = MethodTree & {
  /**
   * The underlying openapi-fetch client, for `{ data, error, response }` style calls:
   * `await client.raw.POST('/crm.lead.contact.add', { body })`. Auth is added for you.
   */
  readonly raw: Client<paths>;
  /** Calls a method by its wire name; what every generated method uses. */
  call<M extends MethodName>(method: M, params: unknown, options?: CallOptions): Promise<unknown>;
};

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

/**
 * Creates a typed client for the Bitrix24 `crm.lead.contact.*` methods.
 *
 * @example
 * const client = createBitrix24Client({ webhookUrl: process.env.B24_WEBHOOK_URL! });
 * const linked = await client.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1010, IS_PRIMARY: 'Y' } });
 *
 * @example
 * const client = createBitrix24Client({ portal: 'example.bitrix24.com', accessToken });
 */
export function createBitrix24Client(options: Bitrix24ClientOptions): Bitrix24Client {
  const endpoint = resolveEndpoint(options);
  const mask = (text: string) => redact(text, endpoint.secrets);
  const baseFetch = options.fetch ?? globalThis.fetch.bind(globalThis);

  const raw = createClient<paths>({
    baseUrl: endpoint.baseUrl,
    fetch: baseFetch,
    // Bitrix24 reads the OAuth token from the body as `auth`; keeping it out of the URL keeps it out of logs.
    bodySerializer: (body: unknown) =>
      JSON.stringify(endpoint.accessToken && isRecord(body) ? { ...body, auth: endpoint.accessToken } : body),
  });

  async function call(method: MethodName, params: unknown, callOptions?: CallOptions): Promise<unknown> {
    let outcome;
    try {
      outcome = await raw.POST(`/${method}` as `/${MethodName}`, {
        body: params as never,
        parseAs: 'text',
        signal: callOptions?.signal,
      });
    } catch (error) {
      const aborted = callOptions?.signal?.aborted;
      throw new Bitrix24Error({
        status: 0,
        code: aborted ? 'ABORTED' : 'NETWORK_ERROR',
        description: aborted ? 'The call was aborted by the caller' : mask(`The request failed: ${(error as Error)?.message ?? String(error)}`),
        method,
      });
    }
    const { response } = outcome;
    const payload = parseJson(response.ok ? outcome.data : outcome.error);
    if (response.ok && isRecord(payload) && 'result' in payload) return payload.result;
    if (isRecord(payload) && typeof payload.error === 'string') {
      const description = typeof payload.error_description === 'string' ? payload.error_description : '';
      throw new Bitrix24Error({ status: response.status, code: payload.error, description: mask(description), method });
    }
    throw new Bitrix24Error({
      status: response.status,
      code: 'INVALID_RESPONSE',
      description: `${INVALID_RESPONSE} (HTTP ${response.status}, ${response.headers.get('content-type') ?? 'no content type'})`,
      method,
    });
  }

  const tree = buildMethodTree(methodNames, call);
  return Object.assign(tree, { raw, call }) as Bitrix24Client;
}
