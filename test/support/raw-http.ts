import { connect, type Socket } from 'node:net';

export interface RawAnswer {
  status: number;
  head: string;
  body: any;
  /** Whether the server closed the connection. */
  closed: boolean;
}

/** Parses the first HTTP answer in what a socket received. */
export function parseAnswer(raw: string, closed: boolean): RawAnswer | undefined {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const head = raw.slice(0, end);
  const length = /\r\ncontent-length: *(\d+)/i.exec(head);
  const text = raw.slice(end + 4);
  if (length && Buffer.byteLength(text) < Number(length[1])) return undefined;
  return {
    status: Number(head.split(' ')[1]),
    head,
    body: text === '' ? undefined : JSON.parse(text.slice(0, length ? Number(length[1]) : undefined)),
    closed,
  };
}

/**
 * A connection that writes bytes exactly as given (no HTTP client in between) and collects what
 * comes back, so a test can send broken, oversized or stalled requests.
 */
export class RawConnection {
  readonly socket: Socket;
  private received = '';
  private closedFlag = false;
  private readonly opened: Promise<void>;
  private waiters: Array<() => void> = [];

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.setEncoding('utf8');
    this.opened = new Promise((resolve) => this.socket.once('connect', () => resolve()));
    this.socket.on('data', (chunk: string) => {
      this.received += chunk;
      this.wake();
    });
    // A reset from the server after it answered is expected; the answer is already in `received`.
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => {
      this.closedFlag = true;
      this.wake();
    });
  }

  private wake() {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  get closed() {
    return this.closedFlag;
  }

  /** Writes and resolves once the bytes are handed to the kernel; false when the server already closed. */
  async write(data: string | Buffer): Promise<boolean> {
    await this.opened;
    if (this.socket.destroyed || !this.socket.writable) return false;
    return new Promise((resolve) => this.socket.write(data, (error) => resolve(!error)));
  }

  /** Resolves once `text` has arrived. */
  async waitFor(text: string, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.received.includes(text)) {
      if (this.closedFlag || Date.now() > deadline) throw new Error(`did not receive ${JSON.stringify(text)}: ${JSON.stringify(this.received.slice(0, 200))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The first complete answer (the first one starting with `from`, if given), waiting up to `timeoutMs`. */
  async answer(timeoutMs = 5_000, from?: string): Promise<RawAnswer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const start = from === undefined ? 0 : this.received.indexOf(from);
      const parsed = start < 0 ? undefined : parseAnswer(this.received.slice(start), this.closedFlag);
      if (parsed) return parsed;
      if (this.closedFlag) throw new Error(`connection closed without a complete answer: ${JSON.stringify(this.received.slice(0, 200))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no answer within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Resolves when the server has closed the connection (or after `timeoutMs`, with false). */
  async untilClosed(timeoutMs = 5_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closedFlag && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.closedFlag;
  }

  destroy() {
    this.socket.destroy();
  }
}

/** A request head for a webhook call of the sandbox. */
export const requestHead = (path: string, headers: Record<string, string | number> = {}) =>
  `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`;
