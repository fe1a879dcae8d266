// Node-only helpers for the servers built on the wire layer (the mock's front, the sandbox over
// HTTP, the checking proxy): read a request body within the caps, cut stalled peers, answer errors
// in Bitrix24's shape. Nothing here is imported by the client or the in-process sandbox.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { readBodyText } from '../wire/read-body.js';
import { toErrorAnswer } from '../wire/wire-error.js';

/** How long a peer may take, in milliseconds. */
export interface PeerTimeouts {
  /** For the request line and headers. Default 10 s. */
  headersMs: number;
  /** For the whole request, body included. Default 30 s. */
  requestMs: number;
  /** Longest silence on the socket while a request is being read or answered. Default 10 s. */
  idleMs: number;
}

export const DEFAULT_TIMEOUTS: Readonly<PeerTimeouts> = Object.freeze({ headersMs: 10_000, requestMs: 30_000, idleMs: 10_000 });

/** Cuts peers that stall while sending headers or a body, so one slow client never holds the others up. */
export function guardServer(server: Server, timeouts: PeerTimeouts = DEFAULT_TIMEOUTS): void {
  server.headersTimeout = timeouts.headersMs;
  server.requestTimeout = timeouts.requestMs;
  server.timeout = timeouts.idleMs; // socket inactivity: the socket is destroyed
  server.keepAliveTimeout = Math.min(5_000, timeouts.idleMs);
  const refuse = (socket: Duplex, description: string) => {
    if (!socket.writable) return void socket.destroy();
    const body = JSON.stringify({ error: '', error_description: description });
    socket.end(`HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  };
  // A malformed request line or header: answer 400 and close, never let it reach a handler or crash.
  server.on('clientError', (_error, socket) => refuse(socket, 'Malformed HTTP request'));
  // Authority-form targets (CONNECT host:port) would make a tunnel to anywhere: refused.
  server.on('connect', (_req, socket) => refuse(socket, 'CONNECT is not supported; only requests to this server are answered.'));
}

/** Reads a request body as text within `maxBytes` (413 before buffering more), checking `content-length` first. */
export function readRequestText(req: IncomingMessage, maxBytes: number): Promise<string> {
  const declared = req.headers['content-length'];
  return readBodyText(req, maxBytes, declared === undefined ? undefined : Number(declared));
}

/**
 * After refusing a body, lets the peer finish sending it (discarded, never buffered) so it can read
 * the answer, but only up to `maxBytes` more or `maxMs`; then the connection is cut.
 */
function discardRest(req: IncomingMessage, maxBytes: number, maxMs: number) {
  let discarded = 0;
  const cut = setTimeout(() => req.socket.destroy(), maxMs);
  cut.unref();
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.byteLength;
    if (discarded > maxBytes) req.socket.destroy();
  });
  req.once('close', () => clearTimeout(cut));
  req.resume();
}

/** Sends a JSON answer; after a 413 the rest of the body is discarded for a moment and the connection closed. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, head = false): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(payload)), ...headers });
  res.end(head ? undefined : payload);
  if (status === 413 && !res.req.complete) discardRest(res.req, 16 * 1024 * 1024, 5_000);
}

/** Answers any failure in Bitrix24's shape: a WireError as it is, anything else as a bare 500 without internals. */
export function sendError(res: ServerResponse, error: unknown, headers: Record<string, string> = {}): void {
  const { status, body } = toErrorAnswer(error);
  sendJson(res, status, body, headers);
}
