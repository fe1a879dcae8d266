// What the add-on functions (batch, bulk, rawClient) need from a client, kept off its public surface:
// registered once by createBitrix24Client, looked up by the client object.
import type { MethodName } from '../../generated/methods.js';
import type { CallOptions } from './method-tree.js';
import type { Transport } from './transport.js';

/** The parts of a client its add-ons build on. */
export interface ClientInternals {
  call(method: MethodName, params: unknown, options?: CallOptions): Promise<unknown>;
  /** Removes the client's secrets from a text. */
  mask(text: string): string;
  /** The portal's base URL, e.g. `https://portal/rest/1/code`. */
  baseUrl: string;
  /** The client's transport: limiter, timeout, redirects, response cap. */
  transport: Transport;
  /** JSON with the OAuth token added as `auth`, read at each request. */
  serialize(body: unknown): string;
}

const registry = new WeakMap<object, ClientInternals>();

/** Records a new client's internals. */
export function register(client: object, internals: ClientInternals): void {
  registry.set(client, internals);
}

/** The internals of a client made by createBitrix24Client; a TypeError for anything else. */
export function internalsOf(client: object): ClientInternals {
  const internals = registry.get(client);
  if (!internals) throw new TypeError('Expected a client made by createBitrix24Client');
  return internals;
}
