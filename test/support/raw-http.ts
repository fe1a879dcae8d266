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

  /** Resolves at the next data or close event. */
  private next(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  // The waits below end on the socket's events only (data or close), never on a clock: a loaded machine
  // answers late, not wrongly. A server that never answers fails the test at the test timeout.

  /** Resolves once `text` has arrived; throws if the connection closes first. */
  async waitFor(text: string): Promise<void> {
    while (!this.received.includes(text)) {
      if (this.closedFlag) throw new Error(`did not receive ${JSON.stringify(text)}: ${JSON.stringify(this.received.slice(0, 200))}`);
      await this.next();
    }
  }

  /**
   * The first complete answer (the first one starting with `from`, if given). A number first (a time
   * budget, as this took once) is ignored.
   */
  async answer(fromOrBudget?: string | number, from?: string): Promise<RawAnswer> {
    const prefix = typeof fromOrBudget === 'string' ? fromOrBudget : from;
    for (;;) {
      const start = prefix === undefined ? 0 : this.received.indexOf(prefix);
      const parsed = start < 0 ? undefined : parseAnswer(this.received.slice(start), this.closedFlag);
      if (parsed) return parsed;
      if (this.closedFlag) throw new Error(`connection closed without a complete answer: ${JSON.stringify(this.received.slice(0, 200))}`);
      await this.next();
    }
  }

  /** Resolves with true once the server has closed the connection. */
  async untilClosed(): Promise<boolean> {
    while (!this.closedFlag) await this.next();
    return true;
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
