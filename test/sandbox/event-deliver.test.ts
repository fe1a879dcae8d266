// The Node deliverer against a handler that answers byte for byte as scripted (a raw TCP server):
// what it sends, how each answer's outcome is logged, and when a connection carries the next post.
import { once } from 'node:events';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeDeliver } from '../../src/node/event-deliver.js';

/** What the handler answers, by request path; `null` never answers. */
const ANSWERS: Record<string, string | null> = {
  '/chunked': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n',
  '/length': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
  '/close': 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
  '/redirect': 'HTTP/1.1 302 Found\r\nLocation: http://10.0.0.1/\r\nContent-Length: 0\r\n\r\n',
  '/error': 'HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n',
  '/huge': `HTTP/1.1 200 OK\r\nContent-Length: ${1024 * 1024}\r\n\r\n${'x'.repeat(1024 * 1024)}`,
  '/garbage': 'SSH-2.0-OpenSSH_9\r\n\r\n',
  '/hang': null,
};

let port: number;
let connections = 0;
const open = new Set<Socket>();
const requests: Array<{ head: string; body: string }> = [];
const server = createServer((socket: Socket) => {
  connections++;
  open.add(socket);
  socket.on('close', () => open.delete(socket));
  let buffered = '';
  socket.setEncoding('latin1');
  socket.on('error', () => {});
  socket.on('data', (text: string) => {
    buffered += text;
    for (;;) {
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffered.slice(0, end);
      const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
      if (buffered.length < end + 4 + length) return;
      requests.push({ head, body: buffered.slice(end + 4, end + 4 + length) });
      buffered = buffered.slice(end + 4 + length);
      const path = head.split(' ')[1]!.split('?')[0]!;
      if (path === '/drop') socket.destroy();
      else if (ANSWERS[path] !== null) socket.write(ANSWERS[path] ?? ANSWERS['/length']!);
    }
  });
});

beforeAll(async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server.close();
  for (const socket of open) socket.destroy();
});

const deliver = nodeDeliver();
const post = (path: string, body = 'event=ONCRMLEADADD', host = '127.0.0.1') =>
  deliver({ url: `http://${host}:${port}${path}?secret=1`, body, timeoutMs: 200 });

describe('nodeDeliver', () => {
  it("posts the form with its length, the portal's user agent and the handler's path and query", async () => {
    expect(await post('/length', 'a=%C3%A9')).toEqual({ outcome: 'delivered', status: 200 });
    expect(requests.at(-1)!.head.split('\r\n')).toEqual(
      expect.arrayContaining([
        'POST /length?secret=1 HTTP/1.1',
        `Host: 127.0.0.1:${port}`,
        'Content-Type: application/x-www-form-urlencoded',
        'Content-Length: 8',
        'User-Agent: Bitrix24 Webhook Engine',
      ]),
    );
    expect(requests.at(-1)!.body).toBe('a=%C3%A9');
  });

  it.each([
    ['a chunked 200', '/chunked', { outcome: 'delivered', status: 200 }],
    ['a 200 larger than the answer cap (read up to it)', '/huge', { outcome: 'delivered', status: 200 }],
    ['a redirect, never followed', '/redirect', { outcome: 'failed', status: 302, reason: 'Redirects are not followed.' }],
    ['a 500', '/error', { outcome: 'failed', status: 500, reason: 'The handler answered HTTP 500.' }],
    ['something that is not HTTP', '/garbage', { outcome: 'failed', reason: expect.stringContaining('status line') }],
    ['a close without an answer', '/drop', { outcome: 'failed', reason: 'The handler closed the connection without answering.' }],
    ['no answer', '/hang', { outcome: 'timeout', reason: 'No answer within 200 ms.' }],
  ])('logs %s', async (_case, path, result) => {
    expect(await post(path)).toEqual(result);
  });

  it('posts to a name that resolves to loopback, checked on the connection', async () => {
    expect(await post('/length', 'x=1', 'localhost')).toEqual({ outcome: 'delivered', status: 200 });
  });

  it.each([
    ['keeps the connection of a complete answer for the next post', '/length', 0],
    ['chunked answers too', '/chunked', 0],
    ['opens a new one after Connection: close', '/close', 1],
    ['and after an answer cut at the cap', '/huge', 1],
    ['and after a timeout', '/hang', 1],
  ])('%s', async (_case, path, opened) => {
    await post('/length');
    await post(path);
    const before = connections;
    await post('/length');
    expect(connections - before).toBe(opened);
  });

  it('speaks TLS to an https:// handler, and logs a handshake that fails as failed', async () => {
    // A loopback listener that reads the first byte and hangs up: 0x16 opens a TLS handshake record.
    const firstBytes: number[] = [];
    const listener = createServer((socket) => {
      socket.once('data', (chunk: Buffer) => {
        firstBytes.push(chunk[0]!);
        socket.destroy();
      });
    });
    listener.listen(0, '127.0.0.1');
    await once(listener, 'listening');
    try {
      const { port: tlsPort } = listener.address() as AddressInfo;
      const result = await deliver({ url: `https://127.0.0.1:${tlsPort}/events?secret=1`, body: 'x=1', timeoutMs: 2_000 });
      expect(firstBytes).toEqual([0x16]);
      expect(result).toMatchObject({ outcome: 'failed' });
      expect(JSON.stringify(result)).not.toContain('secret');
    } finally {
      listener.close();
    }
  });

  it('never connects to an address beyond loopback', async () => {
    const refused = await deliver({ url: 'http://192.0.2.1/x', body: 'x', timeoutMs: 200 });
    expect(refused).toMatchObject({ outcome: 'refused', reason: expect.stringContaining('192.0.2.1 is not on loopback') });
  });
});
