// A loopback "portal" for the proxy's fidelity tests: it keeps the bytes of every request it gets and
// answers by path: raw bytes with two Set-Cookie headers, or an HTML error page that echoes the
// request (as some portals and the proxies in front of them do).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The bytes the byte route answers with: not UTF-8, so any text decoding on the way shows. */
export const ANSWER_BYTES = Buffer.from([0xff, 0xfe, 0x00, 0x80]);
export const COOKIES = ['session=one; Path=/; HttpOnly', 'tracking=two; Path=/'];

export interface EchoPortal {
  url: string;
  /** The body bytes of each request, in order. */
  received: Buffer[];
  close(): Promise<void>;
}

async function bytesOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startEchoPortal(): Promise<EchoPortal> {
  const received: Buffer[] = [];
  const server: Server = createServer(async (req, res) => {
    const body = await bytesOf(req);
    received.push(body);
    if (req.url?.includes('crm.lead.contact.add')) {
      res.writeHead(200, ['content-type', 'application/json', 'set-cookie', COOKIES[0]!, 'set-cookie', COOKIES[1]!]);
      return res.end(ANSWER_BYTES);
    }
    // The request echoed in an HTML page: the URL, the body as text, and the body once more as a JS string.
    const text = body.toString('utf8');
    res.writeHead(500, { 'content-type': 'text/html' });
    res.end(`${text}<!DOCTYPE html><pre>${req.method} ${req.url}\n${text}\n<script>var sent = ${JSON.stringify(JSON.stringify(text))};</script></pre>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
