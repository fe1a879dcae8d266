// The entry of `b24-lead-contact/events/node`: a Fetch event handler as a Node `http` listener.
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Wraps `(request) => Promise<Response>` (e.g. `createEventHandler(…)`) for `http.createServer`.
 * The body is read by the handler under its own cap.
 *
 * @example
 * http.createServer(toNodeListener(createEventHandler({ applicationToken, onEvent }))).listen(3000);
 */
export function toNodeListener(handler: (request: Request) => Promise<Response>) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string') headers.set(name, value);
      else if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    }
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const body = hasBody
      ? new ReadableStream<Uint8Array>({
          start(controller) {
            req.on('data', (chunk: Buffer) => controller.enqueue(new Uint8Array(chunk)));
            req.on('end', () => controller.close());
            req.on('error', (error) => controller.error(error));
          },
          cancel() {
            req.destroy();
          },
        })
      : null;
    const request = new Request(new URL(req.url ?? '/', 'http://localhost'), {
      method: req.method ?? 'GET',
      headers,
      body,
      ...(body ? { duplex: 'half' } : {}),
    } as RequestInit);
    handler(request)
      .then(async (response) => {
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(Buffer.from(await response.arrayBuffer()));
      })
      .catch(() => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"error":"internal_error"}');
      });
  };
}
