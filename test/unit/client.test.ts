import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Bitrix24Error, createBitrix24Client, isBitrix24Error } from '../../src/index.js';

const CODE = 'secretwebhookcode42';
const TOKEN = 'secret-access-token-99';
const ok = { result: true, time: { start: 1, finish: 2, duration: 1, date_start: '2024-05-03T17:19:01+03:00', date_finish: '2024-05-03T17:19:01+03:00' } };

/** A fetch that records each request and answers with `respond`. */
function observedFetch(respond: (request: Request) => Response | Promise<Response>) {
  const requests: Request[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    requests.push(request.clone());
    return respond(request);
  };
  return { fetch, requests };
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('createBitrix24Client', () => {
  it('posts JSON to {webhookUrl}/{method} for a webhook connection', async () => {
    const { fetch, requests } = observedFetch(() => json(ok));
    const client = createBitrix24Client({ webhookUrl: `https://example.bitrix24.com/rest/1/${CODE}/`, fetch });
    await expect(client.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1010 } })).resolves.toBe(true);
    expect(requests[0]!.url).toBe(`https://example.bitrix24.com/rest/1/${CODE}/crm.lead.contact.add`);
    expect(requests[0]!.method).toBe('POST');
    expect(requests[0]!.headers.get('content-type')).toBe('application/json');
    expect(await requests[0]!.json()).toEqual({ id: 1, fields: { CONTACT_ID: 1010 } });
  });

  it('accepts a webhook URL that already ends in a method name', async () => {
    const { fetch, requests } = observedFetch(() => json(ok));
    const client = createBitrix24Client({ webhookUrl: `https://example.bitrix24.com/rest/7/${CODE}/profile.json`, fetch });
    await client.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1010 } });
    expect(requests[0]!.url).toBe(`https://example.bitrix24.com/rest/7/${CODE}/crm.lead.contact.add`);
  });

  it('sends the OAuth token as auth in the body, never in the URL', async () => {
    const { fetch, requests } = observedFetch(() => json(ok));
    const client = createBitrix24Client({ portal: 'example.bitrix24.com', accessToken: TOKEN, fetch });
    await client.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1010 } });
    expect(requests[0]!.url).toBe('https://example.bitrix24.com/rest/crm.lead.contact.add');
    expect(await requests[0]!.json()).toEqual({ id: 1, fields: { CONTACT_ID: 1010 }, auth: TOKEN });
  });

  it('accepts the client_endpoint URL of the token answer as the portal', async () => {
    const { fetch, requests } = observedFetch(() => json(ok));
    const client = createBitrix24Client({ portal: 'https://example.bitrix24.com/rest/', accessToken: TOKEN, fetch });
    await client.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1010 } });
    expect(requests[0]!.url).toBe('https://example.bitrix24.com/rest/crm.lead.contact.add');
  });

  it.each([
    ['a plain http webhook URL', { webhookUrl: `http://example.bitrix24.com/rest/1/${CODE}/` }, /requires HTTPS/],
    ['a URL without /rest/{userId}/{code}', { webhookUrl: 'https://example.bitrix24.com/crm/' }, /must look like/],
    ['a missing access token', { portal: 'example.bitrix24.com', accessToken: '' }, /accessToken/],
    ['a plain http portal', { portal: 'http://example.bitrix24.com', accessToken: TOKEN }, /requires HTTPS/],
  ])('refuses %s with a message that names the option', (_case, options, message) => {
    expect(() => createBitrix24Client(options as never)).toThrow(message);
    try {
      createBitrix24Client(options as never);
    } catch (error) {
      expect(String(error)).not.toContain(CODE);
      expect(String(error)).not.toContain(TOKEN);
    }
  });

  it.each([
    ['a zero drain rate', { rateLimit: { drainPerSecond: 0, threshold: 10 } }, /rateLimit\.drainPerSecond must be a positive number, got 0/],
    ['a fractional threshold', { rateLimit: { drainPerSecond: 2, threshold: 2.5 } }, /rateLimit\.threshold must be a whole number ≥ 1, got 2\.5/],
    ['a fractional burst (the deprecated name)', { rateLimit: { drainPerSecond: 2, burst: 2.5 } }, /rateLimit\.burst must be a whole number ≥ 1, got 2\.5/],
    ['an unknown plan', { rateLimit: 'gold' }, /rateLimit must be false, 'standard', 'enterprise'/],
    ['a NaN timeout', { timeoutMs: Number.NaN }, /timeoutMs must be a positive number, got NaN/],
    ['zero attempts', { retry: { attempts: 0 } }, /retry\.attempts must be a whole number ≥ 1, got 0/],
    ['a negative maximum wait', { operationTimeLimit: { maxWaitMs: -1 } }, /operationTimeLimit\.maxWaitMs must be a non-negative number, got -1/],
  ])('refuses %s, naming the option and its rule', (_case, options, message) => {
    expect(() => createBitrix24Client({ webhookUrl: `https://example.bitrix24.com/rest/1/${CODE}/`, ...(options as object) })).toThrow(message);
  });

  it('refuses a bad per-call timeout before sending anything', async () => {
    const { fetch, requests } = observedFetch(() => json(ok));
    const client = createBitrix24Client({ webhookUrl: `https://example.bitrix24.com/rest/1/${CODE}/`, fetch });
    await expect(client.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1010 } }, { timeoutMs: -5 })).rejects.toThrow(
      /timeoutMs must be a positive number, got -5/,
    );
    expect(requests).toHaveLength(0);
  });

  it('allows http:// only when the caller opts in', () => {
    expect(() => createBitrix24Client({ webhookUrl: `http://127.0.0.1:4010/rest/1/${CODE}/`, allowInsecureHttp: true })).not.toThrow();
  });
});

describe('Bitrix24Error from a client call', () => {
  const call = (respond: () => Response | Promise<Response>) => {
    const { fetch } = observedFetch(respond);
    const client = createBitrix24Client({ webhookUrl: `https://example.bitrix24.com/rest/1/${CODE}/`, fetch, retry: false });
    return client.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1010 } }).then(
      () => expect.unreachable('the call should fail'),
      (error: unknown) => error as Bitrix24Error,
    );
  };

  it('carries status, code, description and method of a Bitrix24 error body', async () => {
    const error = await call(() => json({ error: 'NOT_FOUND', error_description: 'Not found.' }, 400));
    expect(isBitrix24Error(error)).toBe(true);
    expect(error).toMatchObject({ status: 400, code: 'NOT_FOUND', description: 'Not found.', method: 'crm.lead.contact.add', retryable: false });
    expect(error.message).toBe('crm.lead.contact.add failed with 400 HTTP status, NOT_FOUND: Not found.');
  });

  it('keeps an empty code as an empty string', async () => {
    const error = await call(() => json({ error: '', error_description: "The parameter 'fields' is not valid." }, 400));
    expect(error.code).toBe('');
    expect(error.message).toContain('(empty code)');
  });

  it('passes unknown codes through as strings', async () => {
    const error = await call(() => json({ error: 'SOMETHING_NEW', error_description: 'New failure' }, 418));
    expect(error).toMatchObject({ status: 418, code: 'SOMETHING_NEW' });
  });

  it.each([
    ['an HTML error page', () => new Response('<html>502 Bad Gateway</html>', { status: 502, headers: { 'Content-Type': 'text/html' } })],
    ['an empty body', () => new Response('', { status: 200 })],
    ['JSON that is not a Bitrix24 envelope', () => json({ ok: true })],
  ])('reports %s as INVALID_RESPONSE', async (_case, respond) => {
    const error = await call(respond);
    expect(error).toBeInstanceOf(Bitrix24Error);
    expect(error.code).toBe('INVALID_RESPONSE');
  });

  it('reports a failed connection as NETWORK_ERROR without the webhook code', async () => {
    const error = await call(() => {
      throw new TypeError(`fetch failed for https://example.bitrix24.com/rest/1/${CODE}/crm.lead.contact.add`);
    });
    expect(error).toMatchObject({ status: 0, code: 'NETWORK_ERROR', retryable: true });
    for (const surface of [error.message, error.stack, JSON.stringify(error), inspect(error, { depth: 5 })]) {
      expect(surface).not.toContain(CODE);
    }
  });

  it('never includes the webhook code in any surface of the error', async () => {
    const error = await call(() => json({ error: 'NO_AUTH_FOUND', error_description: `Wrong code ${CODE}` }, 401));
    for (const surface of [error.message, error.description, error.stack, JSON.stringify(error), inspect(error, { depth: 5 })]) {
      expect(surface).not.toContain(CODE);
    }
  });
});
