// `b24-lead-contact/msw`: MSW 2 and 3 request handlers answering Bitrix24 REST calls from a sandbox, in Node
// (msw/node) and in browsers (msw/browser). msw is an optional peer dependency of this package.
import { http, type HttpHandler } from 'msw';
import type { Sandbox } from './sandbox/sandbox.js';
import { DEFAULT_LIMITS } from './wire/limits.js';
import { readBodyText } from './wire/read-body.js';
import { toErrorAnswer } from './wire/wire-error.js';

export interface SandboxHandlersOptions {
  /** Largest request body read, in bytes; more is answered 413. Default 4 MiB, as the sandbox's own cap. */
  maxBodyBytes?: number;
}

/**
 * The body's chunks through a reader that is released, not cancelled, when reading stops early (413):
 * cancelling a request body inside MSW's interceptor never settles.
 */
async function* chunksOf(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

const json = (status: number, body: unknown, head: boolean) =>
  new Response(head ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'access-control-allow-origin': '*' },
  });

/**
 * MSW request handlers that answer every `…/rest/…` request (any origin, every Bitrix24 URL form)
 * through `sandbox`, so the code under test keeps its real webhook URL or portal and its own fetch.
 *
 * @example
 * const sandbox = createSandbox();
 * const server = setupServer(...sandboxHandlers(sandbox));
 * server.listen();
 */
export function sandboxHandlers(sandbox: Pick<Sandbox, 'handle'>, options: SandboxHandlersOptions = {}): HttpHandler[] {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_LIMITS.maxBodyBytes;
  return [
    http.all('*/rest/*', async ({ request }) => {
      const head = request.method === 'HEAD';
      if (request.method === 'OPTIONS') {
        return new Response(null, {
          status: 204,
          headers: { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, POST', 'access-control-allow-headers': 'content-type, accept' },
        });
      }
      let body: string;
      try {
        const length = request.headers.get('content-length');
        body = await readBodyText(request.body && chunksOf(request.body), maxBodyBytes, length === null ? undefined : Number(length));
      } catch (error) {
        const answer = toErrorAnswer(error);
        return json(answer.status, answer.body, head);
      }
      const answer = await sandbox.handle({ method: request.method, url: request.url, contentType: request.headers.get('content-type') ?? '', body });
      return json(answer.status, answer.body, head);
    }),
  ];
}
