import createClient, { type Client } from 'openapi-fetch';
import type { paths } from '../../generated/schema.js';
import { Bitrix24Error } from './errors.js';
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
    const { baseUrl, transport, serialize, mask } = internalsOf(client);
    const home = new URL(baseUrl).origin;
    // openapi-fetch hands over a WHATWG Request and reads a Response; the method name is the path's last part.
    const fetch = async (request: Request) => {
      const { origin, pathname } = new URL(request.url);
      const method = pathname.split('/').pop()!;
      if (origin !== home && origin !== transport.portal()) {
        // A per-request baseUrl: the auth in its body (or its headers) would go to that origin.
        throw new Bitrix24Error({
          status: 0,
          code: 'ORIGIN_REFUSED',
          description: 'Not sent: the request is aimed at an origin other than the portal',
          method: mask(method),
        });
      }
      const [response, text] = await transport.send(request.url, {
        method,
        verb: request.method,
        headers: request.headers,
        body: request.body ? await request.text() : null,
        signal: request.signal,
      });
      return new Response(text || null, response);
    };
    raw = createClient<paths>({ baseUrl, fetch, bodySerializer: serialize });
    raws.set(client, raw);
  }
  return raw;
}
