import createClient, { type Client } from 'openapi-fetch';
import type { paths } from '../../generated/schema.js';
import { internalsOf } from './internals.js';

const raws = new WeakMap<object, Client<paths>>();

/**
 * The openapi-fetch client on top of `client`, for `{ data, error, response }` style calls. Auth,
 * the rate limiter, timeouts and redirects apply; retries and token refresh do not. A separate
 * import, so apps that do not use it do not ship openapi-fetch.
 *
 * @example
 * const { data, error } = await rawClient(client).POST('/crm.lead.contact.add', { body: { id: 1, fields: { CONTACT_ID: 1010 } } });
 */
export function rawClient(client: object): Client<paths> {
  let raw = raws.get(client);
  if (!raw) {
    const { baseUrl, fetch, serialize } = internalsOf(client);
    raw = createClient<paths>({ baseUrl, fetch, bodySerializer: serialize });
    raws.set(client, raw);
  }
  return raw;
}
