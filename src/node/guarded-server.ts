// The one HTTP front every server on the wire layer shares (the sandbox over HTTP, the mock's front,
// the checking proxy): it reads each request body within the byte cap, cuts peers that stall, answers
// what Node cannot parse in Bitrix24's shape, refuses CONNECT tunnels, and turns any bug into a bare
// 500 without internals. Node-only; nothing here is imported by the client or the in-process sandbox.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { jsonSize } from '../wire/json-size.js';
import { tooLarge } from '../wire/read-body.js';
import { toErrorAnswer, WireError, type ErrorBody } from '../wire/wire-error.js';

/** How long a peer may take, in milliseconds. */
export interface PeerTimeouts {
  /** For the request line and headers. */
  headersMs: number;
  /** For the whole request, body included. */
  requestMs: number;
  /** Longest pause while a body is arriving; then 408 and the connection is cut. */
  bodyIdleMs: number;
  /**
   * How long a peer may take to read a whole answer once it is written; then the connection is cut,
   * so a caller that never reads cannot keep an answer in memory.
   */
  drainMs: number;
}

export const DEFAULT_TIMEOUTS: Readonly<PeerTimeouts> = Object.freeze({ headersMs: 10_000, requestMs: 30_000, bodyIdleMs: 5_000, drainMs: 30_000 });

/** After a 408 or 413 the rest of an upload is read and dropped this long, so the caller can still read the answer. */
const LINGER_MS = 500;
const utf8 = new TextDecoder();

export interface GuardedServerOptions {
  /** Largest request body; more is answered 413 before it is buffered. */
  maxBodyBytes: number;
  timeouts?: Partial<PeerTimeouts>;
  /**
   * Answer CORS preflights and allow every origin (for browser apps under development), on the
   * requests `appliesTo` picks (all without it).
   */
  cors?: { methods: string; headers: string; appliesTo?: (req: IncomingMessage) => boolean };
  /** Checked before the body is read: a WireError refuses the request, and the connection closes after the answer. */
  admit?: (req: IncomingMessage) => WireError | undefined;
  /**
   * Most bytes of answers written but not yet taken by their callers, over the whole server; a JSON
   * answer that would pass it gets 503 `QUERY_LIMIT_EXCEEDED` instead (retryable). No cap without it.
   */
  maxPendingAnswerBytes?: number;
}

/** Bytes of answers the peers of one server have not taken yet, and the most it may hold. */
interface PendingAnswers {
  used: number;
  readonly max: number;
}

/** The pending-answer budget of the server each response belongs to. */
const pendingOf = new WeakMap<ServerResponse, PendingAnswers>();

/** The 503 for an answer the server has no room to hold while its peers read earlier ones. */
function tooManyPending(pending: PendingAnswers) {
  return {
    error: 'QUERY_LIMIT_EXCEEDED',
    error_description: `The server holds ${pending.used} bytes of answers its callers have not read yet, its cap (maxPendingAnswerBytes is ${pending.max}); try again shortly.`,
  };
}

/** Handles one request whose body has been read (as UTF-8 text and as the bytes that came); writes the answer itself. */
export type BodyHandler = (req: IncomingMessage, res: ServerResponse, body: string, bytes: Buffer) => Promise<void>;

/** Whether an answer can still be written on this response. */
export function canAnswer(res: ServerResponse): boolean {
  return !res.headersSent && !res.writableEnded && !res.destroyed && res.socket?.destroyed !== true;
}

/**
 * Writes a JSON answer. With `close`, the connection ends after it: what is left of the upload is
 * read and dropped for a short while (so a caller still sending gets to read the answer), then cut.
 */
export function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown, { close = false } = {}): void {
  // A complete answer is already on its way (e.g. the 400 for a broken chunked body): cutting now could lose it.
  if (res.writableEnded) return;
  if (!canAnswer(res)) return void req.socket.destroy();
  const pending = pendingOf.get(res);
  // Measured before it is built: past the budget the answer is never made.
  const refused = pending !== undefined && pending.used > 0 && Number.isFinite(pending.max) && pending.used + jsonSize(body, pending.max) > pending.max;
  const payload = JSON.stringify(refused ? tooManyPending(pending) : body);
  res.writeHead(refused ? 503 : status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : payload);
  if (close) {
    req.resume();
    setTimeout(() => req.socket.destroy(), LINGER_MS).unref();
  }
}

/** Any failure as a Bitrix24 error answer: a WireError as it is, anything else a bare 500 without internals. */
export function sendError(req: IncomingMessage, res: ServerResponse, error: unknown, { close = false } = {}): void {
  const { status, body } = toErrorAnswer(error);
  sendJson(req, res, status, body, { close });
}

function rawAnswer(status: number, reason: string, body: ErrorBody) {
  const payload = JSON.stringify(body);
  return (
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\n` +
    `content-length: ${Buffer.byteLength(payload)}\r\naccess-control-allow-origin: *\r\nconnection: close\r\n\r\n${payload}`
  );
}

function checkTimeouts(timeouts: PeerTimeouts) {
  for (const [name, value] of Object.entries(timeouts)) {
    if (!Number.isInteger(value) || value <= 0) throw new TypeError(`timeouts.${name} must be a positive integer of milliseconds, got ${String(value)}`);
  }
  if (timeouts.headersMs > timeouts.requestMs) throw new TypeError('timeouts.headersMs must not be longer than timeouts.requestMs');
}

/** A Node HTTP server that hands `handler` only requests whose body arrived whole and within the caps. */
export function createGuardedServer(options: GuardedServerOptions, handler: BodyHandler): Server {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  checkTimeouts(timeouts);
  const { maxBodyBytes, cors, admit } = options;
  const pending: PendingAnswers = { used: 0, max: options.maxPendingAnswerBytes ?? Number.POSITIVE_INFINITY };
  /** The answer under way on each socket whose request reached the handler: a parse error there is answered through it, once. */
  const answering = new WeakMap<Socket, ServerResponse>();

  /**
   * Reads the body within the byte cap (413 past it, before buffering more); a body that stops
   * arriving for `bodyIdleMs` is answered 408 and cut. Events, not async iteration: this is every
   * request's path, and iteration costs several turns of the event loop per body. The bytes are
   * kept as they came (the checking proxy forwards them unchanged); the text is decoded once at the end.
   */
  function readBody(req: IncomingMessage, res: ServerResponse): Promise<Buffer> {
    const length = req.headers['content-length'];
    if (length !== undefined && Number(length) > maxBodyBytes) return Promise.reject(tooLarge(maxBodyBytes));
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const timer = setTimeout(() => {
        done();
        sendError(req, res, new WireError(408, 'REQUEST_TIMEOUT', `The request body stopped arriving for ${timeouts.bodyIdleMs} ms.`), { close: true });
      }, timeouts.bodyIdleMs);
      const onData = (chunk: Buffer) => {
        timer.refresh();
        size += chunk.byteLength;
        if (size <= maxBodyBytes) return void chunks.push(chunk);
        done();
        reject(tooLarge(maxBodyBytes));
      };
      const onEnd = () => {
        done();
        resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
      };
      const onError = (error: Error) => {
        done();
        reject(error);
      };
      // Stops listening; the rest of an upload, if any, is left to sendJson's linger or the socket's end.
      const done = () => {
        clearTimeout(timer);
        req.off('data', onData).off('end', onEnd).off('error', onError);
      };
      req.on('data', onData).on('end', onEnd).on('error', onError);
    });
  }

  async function serve(req: IncomingMessage, res: ServerResponse) {
    if (cors && (cors.appliesTo?.(req) ?? true)) {
      res.setHeader('access-control-allow-origin', '*');
      if (req.method === 'OPTIONS') {
        res
          .writeHead(204, { 'access-control-allow-methods': cors.methods, 'access-control-allow-headers': cors.headers, 'access-control-max-age': '600' })
          .end();
        return;
      }
    }
    const refusal = admit?.(req);
    if (refusal) return sendError(req, res, refusal, { close: true });
    let bytes: Buffer;
    try {
      bytes = await readBody(req, res);
    } catch (error) {
      sendError(req, res, error, { close: true });
      return;
    }
    // TextDecoder, as the client reads answers: a leading BOM is dropped, broken sequences become U+FFFD.
    if (canAnswer(res)) await handler(req, res, utf8.decode(bytes), bytes);
  }

  /**
   * An answer written but not yet taken by the peer is counted against `maxPendingAnswerBytes` until
   * it is, and dropped, with its connection, after `drainMs`.
   */
  function dropIfNotDrained(res: ServerResponse) {
    if (!res.writableEnded || res.writableFinished || res.destroyed) return;
    const held = res.writableLength;
    pending.used += held;
    const timer = setTimeout(() => res.socket?.destroy(), timeouts.drainMs).unref();
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      pending.used -= held;
    };
    res.once('finish', stop).once('close', stop);
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    answering.set(req.socket, res);
    pendingOf.set(res, pending);
    res.once('finish', () => answering.delete(req.socket));
    serve(req, res)
      .then(() => dropIfNotDrained(res))
      .catch((error) => {
        // A bug: answer in Bitrix24's shape without internals, or cut the connection if that is too late.
        if (canAnswer(res)) sendError(req, res, error);
        else req.socket.destroy();
      });
  };
  const server = createServer(
    { headersTimeout: timeouts.headersMs, requestTimeout: timeouts.requestMs, connectionsCheckingInterval: Math.min(1_000, timeouts.headersMs) },
    onRequest,
  );
  // curl and PHP ask before sending a body over 1 KB (`Expect: 100-continue`): a body over the cap is
  // refused (413) without inviting it.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (!(Number(req.headers['content-length']) > maxBodyBytes)) res.writeContinue();
    onRequest(req, res);
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const under = answering.get(socket as Socket);
    if (under && socket.writable && error.code !== 'ECONNRESET') {
      // The head was fine but the body is not valid HTTP (a broken chunk): the promised 400 goes out
      // through the answer already under way, unless one was written.
      if (canAnswer(under)) {
        const description = error.code === 'HPE_INVALID_CHUNK_SIZE' ? 'The chunked request body is malformed.' : 'The request body is not valid HTTP.';
        const payload = JSON.stringify({ error: '', error_description: description });
        under.writeHead(400, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload), connection: 'close' });
        under.end(payload);
      }
      setTimeout(() => socket.destroy(), LINGER_MS).unref();
      return;
    }
    if (!socket.writable || under || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const answer =
      error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? rawAnswer(408, 'Request Timeout', { error: 'REQUEST_TIMEOUT', error_description: 'The request did not arrive in time.' })
        : error.code === 'HPE_HEADER_OVERFLOW'
          ? rawAnswer(431, 'Request Header Fields Too Large', { error: '', error_description: 'The request headers are too large.' })
          : rawAnswer(400, 'Bad Request', { error: '', error_description: 'The request is not valid HTTP.' });
    socket.end(answer);
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  });
  // Authority-form targets (CONNECT host:port) would open a tunnel to anywhere: refused.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    socket.end(rawAnswer(400, 'Bad Request', { error: '', error_description: 'CONNECT is not supported; only requests to this server are answered.' }));
  });
  return server;
}

/** Listens on `host:port` (0 picks a free port) and resolves with the port; a busy port rejects with `code` EADDRINUSE. */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** Stops listening and cuts open connections. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
