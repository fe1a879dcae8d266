import { readFileSync } from 'node:fs';
import { expect, inject, it } from 'vitest';
import { Bitrix24Error, createBitrix24Client, type Bitrix24ClientOptions } from '../../src/index.js';
import { deref } from '../../src/wire/json-pointer.js';

/** The bundled contract, as tests read it. */
export const spec = JSON.parse(readFileSync(new URL('../../generated/openapi.bundle.json', import.meta.url), 'utf8'));

export const WEBHOOK_CODE = 'mockwebhookcode1234';
export const ACCESS_TOKEN = 'mock-access-token-5678';

/** The mock's origin, provided by test/support/prism-global-setup.ts. */
export const mockUrl = () => inject('mockUrl');

/** A fetch that adds Prism's `Prefer` header, to ask the mock for a named example. */
export function preferring(prefer: string): typeof fetch {
  return (input, init) => {
    const request = new Request(input, init);
    request.headers.set('Prefer', prefer);
    return fetch(request);
  };
}

/**
 * A client aimed at the mock, in the webhook form unless `oauth` is set. It makes one attempt per
 * call: the mock answers a requested error every time, so retries and waits would only slow tests.
 */
export function mockClient({ oauth = false, prefer }: { oauth?: boolean; prefer?: string } = {}) {
  const options: Bitrix24ClientOptions = oauth
    ? { portal: mockUrl(), accessToken: ACCESS_TOKEN, allowInsecureHttp: true }
    : { webhookUrl: `${mockUrl()}/rest/1/${WEBHOOK_CODE}/`, allowInsecureHttp: true };
  return createBitrix24Client({
    ...options,
    retry: false,
    operationTimeLimit: { failFast: true },
    ...(prefer ? { fetch: preferring(prefer) } : {}),
  });
}

/** The webhook URL path of a method on the mock. */
export const webhookPath = (method: string) => `/rest/1/${WEBHOOK_CODE}/${method}`;

/** Sends a raw body to the mock, bypassing the client, and returns the status and parsed answer. */
export async function postRaw(path: string, body: string | undefined, contentType = 'application/json') {
  const response = await fetch(`${mockUrl()}${path}`, { method: 'POST', headers: { 'Content-Type': contentType }, body });
  return { status: response.status, body: await response.json() };
}

/** Resolves a `$ref` like `#/components/examples/leadNotFound` inside the bundle. */
export function resolveRef<T = any>(node: any): T {
  return deref<T>(spec, node);
}

/** Every documented error example of a method: status, example name and the error body it shows. */
export function documentedErrors(method: string) {
  const responses = spec.paths[`/${method}`].post.responses;
  return Object.entries(responses)
    .filter(([status]) => Number(status) >= 400)
    .flatMap(([status, response]) =>
      Object.entries(resolveRef(response).content['application/json'].examples).map(([name, example]) => ({
        status: Number(status),
        name,
        body: resolveRef(example).value as { error: string; error_description: string },
      })),
    );
}

/** The `result` of the first 200 example of a method: what the mock answers a valid request with. */
export function defaultResult(method: string): unknown {
  const examples = resolveRef(spec.paths[`/${method}`].post.responses['200']).content['application/json'].examples;
  return resolveRef(Object.values<any>(examples)[0]).value.result;
}

/**
 * Encodes parameters as a form body with bracket nesting, as PHP's `http_build_query` does
 * (`fields[CONTACT_ID]=1010`, `items[0][SORT]=10`), but with the brackets left readable.
 */
export function toBracketForm(params: Record<string, unknown>, prefix = ''): string {
  return Object.entries(params)
    .flatMap(([key, value]) => {
      const name = prefix ? `${prefix}[${key}]` : key;
      return value !== null && typeof value === 'object'
        ? [toBracketForm(value as Record<string, unknown>, name)]
        : [`${name}=${encodeURIComponent(String(value))}`];
    })
    .filter(Boolean)
    .join('&');
}

/** A client call of one method, so the shared tables below can drive any method. */
export type MockCall = (client: ReturnType<typeof mockClient>) => Promise<unknown>;

/**
 * Data-driven from the contract: asks the mock for every documented error example of `method` by
 * name and checks that each reaches the caller as a Bitrix24Error with the documented status, code
 * and description, and never with the webhook code in it.
 */
export function itRaisesEveryDocumentedError(method: string, call: MockCall) {
  it.each(documentedErrors(method).map((e) => [`${e.status} ${e.name}`, e] as const))(
    '%s reaches the caller as a typed Bitrix24Error',
    async (_label, documented) => {
      const client = mockClient({ prefer: `code=${documented.status}, example=${documented.name}` });
      const failure = await call(client).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(Bitrix24Error);
      expect(failure).toMatchObject({
        status: documented.status,
        code: documented.body.error,
        description: documented.body.error_description,
        method,
      });
      expect(JSON.stringify(failure)).not.toContain(WEBHOOK_CODE);
    },
  );
}

/**
 * A table of raw bodies the contract forbids: `[case, body, rule, contentType?]`. Each must get a
 * 400 with an empty code and an `error_description` matching `rule` (the field and what it broke).
 */
export function itRejectsInvalidRequests(method: string, cases: Array<[string, string | undefined, RegExp, string?]>) {
  it.each(cases)('%s', async (_case, body, rule, contentType) => {
    const answer = await postRaw(webhookPath(method), body, contentType);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('');
    expect(answer.body.error_description).toMatch(rule);
  });
}

/**
 * Sends one valid request for `method` in every URL and body form real Bitrix24 clients use and
 * expects the documented 200 each time; the OAuth form without a token must get 401.
 */
export function itAnswersEveryUrlForm(method: string, params: Record<string, unknown>) {
  const json = JSON.stringify(params);
  const form = toBracketForm(params);
  const query = (...parts: string[]) => `?${[form, ...parts].filter(Boolean).join('&')}`;
  const formHeaders = { 'Content-Type': 'application/x-www-form-urlencoded' };
  const forms: Array<[string, RequestInit & { path: string }]> = [
    ['webhook', { path: webhookPath(method), method: 'POST', body: json }],
    ['webhook with .json suffix', { path: `${webhookPath(method)}.json`, method: 'POST', body: json }],
    ['webhook with a trailing slash', { path: `${webhookPath(method)}/`, method: 'POST', body: json }],
    ['webhook with tracking query parameters', { path: `${webhookPath(method)}?utm_source=crm&trace_id=42`, method: 'POST', body: json }],
    ['OAuth with auth in the body', { path: `/rest/${method}`, method: 'POST', body: JSON.stringify({ ...params, auth: 'token-1234' }) }],
    ['OAuth with auth in the query', { path: `/rest/${method}.json?auth=token-1234`, method: 'POST', body: json }],
    ['form-encoded body', { path: webhookPath(method), method: 'POST', body: form, headers: formHeaders }],
    [
      'form-encoded body in the OAuth form',
      { path: `/rest/${method}`, method: 'POST', body: [form, 'auth=token-1234'].filter(Boolean).join('&'), headers: formHeaders },
    ],
    ['GET with everything in the query string', { path: `${webhookPath(method)}${query('utm_source=crm')}`, method: 'GET' }],
    ['GET in the OAuth form', { path: `/rest/${method}${query('auth=token-1234')}`, method: 'GET' }],
    ['the bare method path', { path: `/${method}`, method: 'POST', body: json }],
  ];

  it.each(forms)('%s gets the documented 200', async (_form, { path, ...init }) => {
    const headers = { 'Content-Type': 'application/json', ...(init.headers as Record<string, string>) };
    const response = await fetch(`${mockUrl()}${path}`, { ...init, headers });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ result: defaultResult(method), time: { start: expect.any(Number) } });
  });

  it('the OAuth form without a token gets 401 NO_AUTH_FOUND', async () => {
    const answer = await postRaw(`/rest/${method}`, json);
    expect(answer).toMatchObject({ status: 401, body: { error: 'NO_AUTH_FOUND' } });
  });
}
