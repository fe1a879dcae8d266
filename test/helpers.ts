import { readFileSync } from 'node:fs';
import { inject } from 'vitest';
import { createBitrix24Client, type Bitrix24ClientOptions } from '../src/index.js';

/** The bundled contract, as tests read it. */
export const spec = JSON.parse(readFileSync(new URL('../generated/openapi.bundle.json', import.meta.url), 'utf8'));

export const WEBHOOK_CODE = 'mockwebhookcode1234';
export const ACCESS_TOKEN = 'mock-access-token-5678';

/** The mock's origin, provided by test/global-setup.ts. */
export const mockUrl = () => inject('mockUrl');

/** A fetch that adds Prism's `Prefer` header, to ask the mock for a named example. */
export function preferring(prefer: string): typeof fetch {
  return (input, init) => {
    const request = new Request(input, init);
    request.headers.set('Prefer', prefer);
    return fetch(request);
  };
}

/** A client aimed at the mock, in the webhook form unless `oauth` is set. */
export function mockClient({ oauth = false, prefer }: { oauth?: boolean; prefer?: string } = {}) {
  const options: Bitrix24ClientOptions = oauth
    ? { portal: mockUrl(), accessToken: ACCESS_TOKEN, allowInsecureHttp: true }
    : { webhookUrl: `${mockUrl()}/rest/1/${WEBHOOK_CODE}/`, allowInsecureHttp: true };
  return createBitrix24Client({ ...options, ...(prefer ? { fetch: preferring(prefer) } : {}) });
}

/** Resolves a `$ref` like `#/components/examples/leadNotFound` inside the bundle. */
export function resolveRef<T = any>(node: any): T {
  if (!node?.$ref) return node;
  return node.$ref
    .slice(2)
    .split('/')
    .map((part: string) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((at: any, key: string) => at[key], spec);
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
