// The guards every server on the wire layer shares (the mock's front, the sandbox over HTTP, the
// checking proxy): stalled peers are cut without holding up others, and nothing crashes.
import { connect } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { closeServer, createGuardedServer, listen, sendJson } from '../../src/node/guarded-server.js';

async function guardedEcho() {
  const server = createGuardedServer({ maxBodyBytes: 1024, timeouts: { headersMs: 300, requestMs: 600, bodyIdleMs: 300 } }, async (req, res, body) => {
    if (body === 'crash') throw new Error('internal detail /srv/app.js:42');
    sendJson(req, res, 200, { result: body.length });
  });
  const port = await listen(server, 0, '127.0.0.1');
  onTestFinished(() => closeServer(server));
  return port;
}

/** Opens a connection, writes `bytes`, and resolves with everything received once the server closes it. */
function stall(port: number, bytes: string) {
  return new Promise<string>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    let received = '';
    socket.on('data', (chunk) => (received += chunk));
    socket.on('close', () => resolve(received));
    socket.on('error', () => undefined);
  });
}

describe('createGuardedServer', () => {
  it('cuts a stalled upload while other callers are answered meanwhile', async () => {
    const port = await guardedEcho();
    const stalled = stall(port, 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"id":');
    const other = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: '{"id":1}' });
    expect(await other.json()).toEqual({ result: 8 });
    const received = await stalled; // resolves only because the server closed the stalled connection
    expect(received).toMatch(/^HTTP\/1\.1 408[\s\S]*"error":"REQUEST_TIMEOUT"/);
  });

  it('cuts a peer that never finishes its headers', async () => {
    const port = await guardedEcho();
    const received = await stall(port, 'POST / HTTP/1.1\r\nHost: x\r\n');
    expect(received).not.toMatch(/ 200 /);
  });

  it('answers a malformed request line and a CONNECT with 400 in Bitrix24 shape', async () => {
    const port = await guardedEcho();
    expect(await stall(port, 'GARBAGE\r\n\r\n')).toMatch(/^HTTP\/1\.1 400[\s\S]*"error":""/);
    expect(await stall(port, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n')).toMatch(/^HTTP\/1\.1 400[\s\S]*CONNECT is not supported/);
  });

  it('answers a body over the cap with 413 the sender can read, discarding the rest unbuffered', async () => {
    const port = await guardedEcho();
    const response = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: 'x'.repeat(64 * 1024) });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: 'REQUEST_ENTITY_TOO_LARGE' });
  });

  it('answers a handler bug with a bare 500 in Bitrix24 shape, never its message', async () => {
    const port = await guardedEcho();
    const response = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: 'crash' });
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('{"error":"INTERNAL_SERVER_ERROR","error_description":"Internal server error"}');
  });

  it('cuts a sender that goes on past the discard allowance', async () => {
    const port = await guardedEcho();
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => (received += chunk));
    socket.on('error', () => undefined);
    const closed = new Promise((resolve) => socket.on('close', resolve));
    socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n');
    const chunk = Buffer.alloc(1024 * 1024, 120);
    const pump = () => {
      while (!socket.destroyed && socket.write(chunk));
      if (!socket.destroyed) socket.once('drain', pump);
    };
    pump();
    await closed;
    expect(received).toMatch(/^HTTP\/1\.1 413/);
  });
});
