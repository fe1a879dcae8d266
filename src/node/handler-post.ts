// One event delivery as an HTTP/1.1 POST on a kept-alive connection to the handler. This replaces
// http.request for deliveries: a profile of the sandbox's process showed Node's client (a
// ClientRequest, the agent, an IncomingMessage stream and its events per post) costing about three
// times what writing the request and reading the answer by hand costs, and every delivery of a
// bound event runs beside the REST calls (docs/performance.md, "Event deliveries beside REST calls").
// What the client did that a deliverer needs is here: keep-alive with an idle timeout below the
// handler's, answers framed by Content-Length, chunks or the close (handler-answer.ts), a timeout,
// and the caller's check of the address a new connection reached before a byte is sent.
import { type LookupFunction, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { type AnswerEnd, AnswerReader } from './handler-answer.js';

/** A handler URL as a post needs it, read once per handler. */
export interface PostTarget {
  https: boolean;
  /** The name or address to connect to, without IPv6 brackets, in lower case. */
  host: string;
  port: number;
  /** The `Host` header: the URL's host, port included when it is not the scheme's. */
  hostHeader: string;
  /** Path and query as the URL parser left them (percent-encoded: no space, CR or LF). */
  path: string;
}

export type PostOutcome = { kind: 'answered'; status: number } | { kind: 'failed'; error: Error } | { kind: 'timeout' } | { kind: 'refused'; address: string };

export interface PostOptions {
  /** Resolves a name for a new connection (absent for an address). */
  lookup?: LookupFunction;
  /** Whether a new connection's peer may receive the post; checked before anything is written. */
  mayReach(address: string): boolean;
  timeoutMs: number;
  /** Bytes of an answer's body read before the connection is dropped. */
  maxAnswerBytes: number;
}

/** Idle connections kept per handler origin (a handler holds at most a quarter of the delivery slots). */
const IDLE_KEPT = 16;
/** Idle time of a kept connection when the handler names none (Node's server closes one at 5 s). */
const DEFAULT_IDLE_MS = 4000;

interface Idle {
  socket: Socket;
  gone: () => void;
}

const IDLE_EVENTS = ['data', 'end', 'close', 'error', 'timeout'] as const;

/** Kept-alive connections to handlers, one set per scheme, host and port. */
export class HandlerConnections {
  private readonly idle = new Map<string, Idle[]>();

  post(target: PostTarget, body: string, options: PostOptions): Promise<PostOutcome> {
    return new Promise((resolve) => {
      const key = `${target.https ? 'https' : 'http'} ${target.host} ${target.port}`;
      const kept = this.take(key);
      const socket = kept ?? open(target, options.lookup);
      const reader = new AnswerReader(options.maxAnswerBytes);
      let settled = false;
      const finish = (outcome: PostOutcome, end?: AnswerEnd) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.off('data', onData);
        socket.off('error', onError);
        socket.off('close', onClose);
        if (end?.reusable && !socket.destroyed) this.give(key, socket, end.keepAliveMs);
        else discard(socket);
        resolve(outcome);
      };
      const onData = (chunk: Buffer) => {
        let end: AnswerEnd | undefined;
        try {
          end = reader.push(chunk);
        } catch (error) {
          finish({ kind: 'failed', error: error as Error });
          return;
        }
        if (end) finish({ kind: 'answered', status: end.status }, end);
      };
      const onError = (error: Error) => finish({ kind: 'failed', error });
      const onClose = () => {
        const end = reader.close();
        if (end) finish({ kind: 'answered', status: end.status }, end);
        else
          finish({
            kind: 'failed',
            error: new Error(
              reader.received === 0 ? 'The handler closed the connection without answering.' : 'The handler closed the connection in the middle of its answer.',
            ),
          });
      };
      const timer = setTimeout(() => finish({ kind: 'timeout' }), options.timeoutMs);
      socket.on('data', onData);
      socket.on('error', onError);
      socket.on('close', onClose);
      const send = () =>
        socket.write(
          `POST ${target.path} HTTP/1.1\r\nHost: ${target.hostHeader}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
            `Content-Length: ${Buffer.byteLength(body)}\r\nUser-Agent: Bitrix24 Webhook Engine\r\nConnection: keep-alive\r\n\r\n${body}`,
        );
      if (kept) send();
      else
        socket.once(target.https ? 'secureConnect' : 'connect', () => {
          // The last word: the peer this connection really reached, before a byte of the post.
          const peer = socket.remoteAddress;
          if (peer === undefined || !options.mayReach(peer)) finish({ kind: 'refused', address: peer ?? 'an unknown address' });
          else send();
        });
    });
  }

  private take(key: string): Socket | undefined {
    const list = this.idle.get(key);
    const entry = list?.pop();
    if (!entry) return undefined;
    if (list!.length === 0) this.idle.delete(key);
    for (const event of IDLE_EVENTS) entry.socket.off(event, entry.gone);
    entry.socket.setTimeout(0);
    entry.socket.ref();
    return entry.socket;
  }

  private give(key: string, socket: Socket, keepAliveMs: number | undefined) {
    // A second short of the handler's own idle limit, so a post never meets a connection it is closing.
    const idleMs = keepAliveMs === undefined ? DEFAULT_IDLE_MS : Math.min(DEFAULT_IDLE_MS, keepAliveMs - 1000);
    const list = this.idle.get(key) ?? [];
    if (idleMs <= 0 || list.length >= IDLE_KEPT) {
      discard(socket);
      return;
    }
    const entry: Idle = {
      socket,
      // Anything an idle connection does (bytes, a close, an error, its idle time out) ends it.
      gone: () => {
        for (const event of IDLE_EVENTS) socket.off(event, entry.gone);
        const at = list.indexOf(entry);
        if (at >= 0) list.splice(at, 1);
        if (list.length === 0 && this.idle.get(key) === list) this.idle.delete(key);
        discard(socket);
      },
    };
    for (const event of IDLE_EVENTS) socket.on(event, entry.gone);
    socket.setTimeout(idleMs);
    socket.unref();
    list.push(entry);
    this.idle.set(key, list);
  }
}

/** Ends a connection whose late errors nobody waits for any more. */
function discard(socket: Socket) {
  socket.on('error', () => {});
  socket.destroy();
}

function open(target: PostTarget, lookup: LookupFunction | undefined): Socket {
  const where = { host: target.host, port: target.port, ...(lookup ? { lookup } : {}) };
  // tls.connect names a host (not an address) to the server as the handshake's server name, and checks its certificate.
  const socket = target.https ? tlsConnect(where) : netConnect(where);
  socket.setNoDelay(true);
  return socket;
}
